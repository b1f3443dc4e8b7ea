using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Actors;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Actors.Runtime.CodeGen.Tests;

/// <summary>The outcome of running the generator over in-memory sources.</summary>
internal sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableArray<GeneratedSourceResult> GeneratedSources,
    GeneratorDriver Driver)
{
    public string AllGeneratedSource => string.Join("\n", GeneratedSources.Select(s => s.SourceText.ToString()));

    public string Source(string hintNameEnd) =>
        GeneratedSources.Single(s => s.HintName.EndsWith(hintNameEnd, StringComparison.Ordinal)).SourceText.ToString();

    /// <summary>Errors and warnings of the output compilation (consumers build with warnings as errors).</summary>
    public IReadOnlyList<Diagnostic> CompilationProblems =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>Compiles C# in memory against the framework and the actor abstractions, with the generator.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(LoadReferences);

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(string source, string? assemblyName = null, IEnumerable<MetadataReference>? extraReferences = null) =>
        CSharpCompilation.Create(
            assemblyName ?? "Gen" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(Prelude + source, ParseOptions, path: "Input.cs")],
            References.Value.AddRange(extraReferences ?? []),
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                allowUnsafe: true));

    public static GeneratorRun Run(string source, string? assemblyName = null, IEnumerable<MetadataReference>? extraReferences = null) =>
        Run(Compile(source, assemblyName, extraReferences));

    public static GeneratorRun Run(CSharpCompilation compilation)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new GrainCodeGenerator().AsSourceGenerator()],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        return new GeneratorRun(compilation, output, diagnostics, result.GeneratedSources, driver);
    }

    /// <summary>Runs the generator, requires a clean build, and loads the assembly with its module initializer run.</summary>
    public static Assembly RunAndLoad(string source, IEnumerable<MetadataReference>? extraReferences = null)
    {
        var run = Run(source, extraReferences: extraReferences);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        return Load(run.Output);
    }

    /// <summary>Emits a compilation and references the image, as a project reference to a built assembly would.</summary>
    public static MetadataReference ToImageReference(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }

    public static Assembly Load(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        image.Position = 0;

        // A context of its own per assembly; the abstractions resolve to the test's copy (the default
        // context), so the registry and the base types are shared with the tests.
        var context = new AssemblyLoadContext(compilation.AssemblyName, isCollectible: false);
        var assembly = context.LoadFromStream(image);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        return assembly;
    }

    private const string Prelude = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Threading;
        using System.Threading.Tasks;
        using Actors;

        """;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(typeof(IGrain).Assembly.Location)
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase);
        return [.. paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))];
    }
}
