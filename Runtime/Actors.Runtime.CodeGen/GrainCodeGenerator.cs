using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Actors.Runtime.CodeGen.Analysis;
using Actors.Runtime.CodeGen.Emit;
using Actors.Runtime.CodeGen.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Actors.Runtime.CodeGen;

/// <summary>
/// Emits, for every grain and observer interface in the compilation, one request class per method,
/// a proxy deriving from <c>GrainReference</c> and an interface descriptor; and one module
/// initializer that registers the descriptors and the compilation's grain classes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class GrainCodeGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var interfaces = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is InterfaceDeclarationSyntax { BaseList.Types.Count: > 0 },
                static (syntax, cancellationToken) => AnalyzeInterface(syntax, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!);

        var grainClasses = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is ClassDeclarationSyntax { BaseList.Types.Count: > 0 },
                static (syntax, cancellationToken) => AnalyzeClass(syntax, cancellationToken))
            .Where(static name => name is not null)
            .Select(static (name, _) => name!);

        context.RegisterSourceOutput(interfaces, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics)
            {
                output.ReportDiagnostic(Diagnostic.Create(
                    Diagnostics.Get(diagnostic.Id),
                    diagnostic.Location?.ToLocation() ?? Location.None,
                    diagnostic.Arguments.ToArray<object>()));
            }

            if (result.Model is { } model)
            {
                output.AddSource(SourceEmitter.HintName(model), SourceText.From(SourceEmitter.EmitInterface(model), Encoding.UTF8));
            }
        });

        var externals = interfaces
            .SelectMany(static (result, _) => result.ExternalInterfaces)
            .Collect()
            .Select(static (models, _) => new EquatableArray<InterfaceModel>(Distinct(models)));

        context.RegisterSourceOutput(externals, static (output, models) =>
        {
            foreach (var model in models)
            {
                output.AddSource(SourceEmitter.HintName(model), SourceText.From(SourceEmitter.EmitInterface(model), Encoding.UTF8));
            }
        });

        var registrations = interfaces
            .Select(static (result, _) => result.Model?.DescriptorFullName)
            .Where(static name => name is not null)
            .Select(static (name, _) => name!)
            .Collect()
            .Combine(externals)
            .Combine(grainClasses.Collect());

        context.RegisterSourceOutput(registrations, static (output, input) =>
        {
            var ((local, external), classes) = input;
            var descriptors = local.Concat(external.Select(m => m.DescriptorFullName))
                .Distinct(System.StringComparer.Ordinal)
                .OrderBy(n => n, System.StringComparer.Ordinal)
                .ToList();
            var grainTypes = classes.Distinct(System.StringComparer.Ordinal).OrderBy(n => n, System.StringComparer.Ordinal).ToList();
            if (descriptors.Count == 0 && grainTypes.Count == 0)
            {
                return;
            }

            output.AddSource("ActorsGenerated.Registration.g.cs", SourceText.From(SourceEmitter.EmitRegistration(descriptors, grainTypes), Encoding.UTF8));
        });
    }

    private static InterfaceResult? AnalyzeInterface(GeneratorSyntaxContext syntax, CancellationToken cancellationToken)
    {
        if (syntax.SemanticModel.GetDeclaredSymbol(syntax.Node, cancellationToken) is not INamedTypeSymbol symbol
            || !IsFirstDeclaration(symbol, syntax.Node)
            || !symbol.AllInterfaces.Any(static i => IsActorsType(i, "IGrain") || IsActorsType(i, "IGrainObserver"))
            || KnownSymbols.Create(syntax.SemanticModel.Compilation) is not { } known
            || !known.IsGrainInterface(symbol))
        {
            return null;
        }

        return new InterfaceAnalyzer(known, cancellationToken).Analyze(symbol);
    }

    /// <summary>The fully qualified name of a grain class to register, or null.</summary>
    private static string? AnalyzeClass(GeneratorSyntaxContext syntax, CancellationToken cancellationToken)
    {
        if (syntax.SemanticModel.GetDeclaredSymbol(syntax.Node, cancellationToken) is not INamedTypeSymbol symbol
            || symbol.IsAbstract
            || symbol.IsStatic
            || symbol.IsFileLocal
            || !IsFirstDeclaration(symbol, syntax.Node)
            || !DerivesFromActorsGrain(symbol)
            || KnownSymbols.Create(syntax.SemanticModel.Compilation) is not { GrainClass: { } grainBase } known)
        {
            return null;
        }

        for (var current = symbol; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType)
            {
                return null;
            }
        }

        if (InterfaceAnalyzer.EffectiveAccessibility(symbol) is not (Accessibility.Public or Accessibility.Internal))
        {
            return null;
        }

        var derivesFromGrain = false;
        for (var baseType = symbol.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (KnownSymbols.Same(baseType, grainBase))
            {
                derivesFromGrain = true;
                break;
            }
        }

        return derivesFromGrain && symbol.AllInterfaces.Any(known.IsGrainInterface)
            ? symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            : null;
    }

    /// <summary>A cheap name check that spares most syntax nodes the symbol lookups.</summary>
    private static bool IsActorsType(INamedTypeSymbol type, string name) =>
        type.Name == name && type.ContainingNamespace is { Name: "Actors", ContainingNamespace.IsGlobalNamespace: true };

    private static bool DerivesFromActorsGrain(INamedTypeSymbol type)
    {
        for (var baseType = type.BaseType; baseType is not null; baseType = baseType.BaseType)
        {
            if (IsActorsType(baseType, "Grain"))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Partial types are analysed once, at their first declaration.</summary>
    /// <summary>
    /// True for one declaration per type: the first one that has a base list (the only kind the
    /// syntax filter passes), so a partial class is registered once whichever file sorts first.
    /// </summary>
    private static bool IsFirstDeclaration(INamedTypeSymbol symbol, SyntaxNode node)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax { BaseList.Types.Count: > 0 })
            {
                return reference.SyntaxTree == node.SyntaxTree && reference.Span == node.Span;
            }
        }

        return true;
    }

    private static IEnumerable<InterfaceModel> Distinct(ImmutableArray<InterfaceModel> models)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        return models.Where(m => seen.Add(m.MetadataName)).OrderBy(m => m.MetadataName, System.StringComparer.Ordinal);
    }
}
