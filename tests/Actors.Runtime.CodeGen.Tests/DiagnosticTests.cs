using Microsoft.CodeAnalysis;

namespace Actors.Runtime.CodeGen.Tests;

public sealed class DiagnosticTests
{
    private static Diagnostic SingleError(string source, string id)
    {
        var run = GeneratorHarness.Run(source);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics, d => d.Id == id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Input.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.True(diagnostic.Location.GetLineSpan().StartLinePosition.Line > 0, "The diagnostic should point at the member.");
        return diagnostic;
    }

    private static void AssertNothingEmittedFor(string source, string baseName)
    {
        var run = GeneratorHarness.Run(source);
        Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.EndsWith("." + baseName + ".g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Method_returning_int_is_reported_with_ACT001()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                int Count();
            }
            """;

        var diagnostic = SingleError(source, "ACT001");
        var message = diagnostic.GetMessage();
        Assert.Contains("App.IBadGrain.Count", message, StringComparison.Ordinal);
        Assert.Contains("'int'", message, StringComparison.Ordinal);
        AssertNothingEmittedFor(source, "BadGrain");
    }

    [Fact]
    public void Method_returning_a_custom_awaitable_is_reported_with_ACT001()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithGuidKey
            {
                IAsyncEnumerable<int> Stream();
            }
            """;

        var message = SingleError(source, "ACT001").GetMessage();
        Assert.Contains("Stream", message, StringComparison.Ordinal);
        Assert.Contains("IAsyncEnumerable<int>", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Property_on_a_grain_interface_is_reported_with_ACT002()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                string Name { get; }
                Task Ok();
            }
            """;

        var message = SingleError(source, "ACT002").GetMessage();
        Assert.Contains("property 'Name'", message, StringComparison.Ordinal);
        Assert.Contains("App.IBadGrain", message, StringComparison.Ordinal);
        AssertNothingEmittedFor(source, "BadGrain");
    }

    [Fact]
    public void Event_on_an_observer_interface_is_reported_with_ACT002()
    {
        const string source = """
            namespace App;
            public interface IBadObserver : IGrainObserver
            {
                event EventHandler Changed;
            }
            """;

        Assert.Contains("event 'Changed'", SingleError(source, "ACT002").GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_on_a_grain_interface_is_reported_with_ACT002()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                int this[int index] { get; }
            }
            """;

        Assert.Contains("indexer", SingleError(source, "ACT002").GetMessage(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ref int value", "ref")]
    [InlineData("out int value", "out")]
    [InlineData("in int value", "in")]
    [InlineData("ref readonly int value", "ref readonly")]
    public void By_reference_parameter_is_reported_with_ACT003(string parameter, string kind)
    {
        var source = $$"""
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                Task Set({{parameter}});
            }
            """;

        var message = SingleError(source, "ACT003").GetMessage();
        Assert.Contains("'value'", message, StringComparison.Ordinal);
        Assert.Contains("App.IBadGrain.Set", message, StringComparison.Ordinal);
        Assert.Contains("'" + kind + "'", message, StringComparison.Ordinal);
        AssertNothingEmittedFor(source, "BadGrain");
    }

    [Fact]
    public void Generic_method_is_reported_with_ACT004()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                Task<T> Get<T>();
            }
            """;

        Assert.Contains("App.IBadGrain.Get", SingleError(source, "ACT004").GetMessage(), StringComparison.Ordinal);
        AssertNothingEmittedFor(source, "BadGrain");
    }

    [Fact]
    public void Methods_whose_ids_collide_are_reported_with_ACT005()
    {
        // "costarring" and "liquid" are a known FNV-1a 32-bit collision.
        Assert.Equal(TestHash.Fnv1a("costarring"), TestHash.Fnv1a("liquid"));
        var (first, second) = FindCollidingMethodNames();
        var source = $$"""
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                Task {{first}}();
                Task {{second}}();
            }
            """;

        var message = SingleError(source, "ACT005").GetMessage();
        Assert.Contains(first + "()", message, StringComparison.Ordinal);
        Assert.Contains(second + "()", message, StringComparison.Ordinal);
        Assert.Contains("App.IBadGrain", message, StringComparison.Ordinal);
        AssertNothingEmittedFor(source, "BadGrain");
    }

    [Fact]
    public void One_way_method_returning_a_value_is_reported_with_ACT006()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                [OneWay] Task<int> Fire();
                [OneWay] Task Fine();
            }
            """;

        var message = SingleError(source, "ACT006").GetMessage();
        Assert.Contains("App.IBadGrain.Fire", message, StringComparison.Ordinal);
        Assert.Contains("Task<int>", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Method_with_two_cancellation_tokens_is_reported_with_ACT007()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                Task Work(CancellationToken first, CancellationToken second);
            }
            """;

        var message = SingleError(source, "ACT007").GetMessage();
        Assert.Contains("App.IBadGrain.Work", message, StringComparison.Ordinal);
        Assert.Contains("2 CancellationToken", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generic_grain_interface_is_reported_with_ACT008()
    {
        const string source = """
            namespace App;
            public interface IBoxGrain<T> : IGrainWithStringKey
            {
                Task<T> Get();
            }
            """;

        Assert.Contains("App.IBoxGrain<T>", SingleError(source, "ACT008").GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Interface_inheriting_a_generic_grain_interface_is_reported_with_ACT008()
    {
        const string source = """
            namespace App;
            public interface IBoxGrain<T> : IGrainWithStringKey
            {
                Task<T> Get();
            }

            public interface IIntBoxGrain : IBoxGrain<int>
            {
                Task Clear();
            }
            """;

        var run = GeneratorHarness.Run(source);
        Assert.Contains(
            run.GeneratorDiagnostics,
            d => d.Id == "ACT008" && d.GetMessage().Contains("App.IIntBoxGrain", StringComparison.Ordinal)
                && d.GetMessage().Contains("inherits", StringComparison.Ordinal));
        Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.Contains("IntBoxGrain", StringComparison.Ordinal));
    }

    [Fact]
    public void Private_nested_grain_interface_is_reported_with_ACT009()
    {
        const string source = """
            namespace App;
            public class Outer
            {
                private interface IHiddenGrain : IGrainWithStringKey
                {
                    Task Ping();
                }
            }
            """;

        var message = SingleError(source, "ACT009").GetMessage();
        Assert.Contains("App.Outer.IHiddenGrain", message, StringComparison.Ordinal);
        Assert.Contains("private", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Span_parameter_is_reported_with_ACT010()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey
            {
                Task Write(ReadOnlySpan<byte> data);
            }
            """;

        var message = SingleError(source, "ACT010").GetMessage();
        Assert.Contains("'data'", message, StringComparison.Ordinal);
        Assert.Contains("App.IBadGrain.Write", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Grain_interface_inheriting_IDisposable_is_reported_with_ACT011()
    {
        const string source = """
            namespace App;
            public interface IBadGrain : IGrainWithStringKey, IDisposable
            {
                Task Ping();
            }
            """;

        var message = SingleError(source, "ACT011").GetMessage();
        Assert.Contains("App.IBadGrain", message, StringComparison.Ordinal);
        Assert.Contains("System.IDisposable", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derived_interface_of_an_invalid_base_emits_nothing_and_breaks_no_build_further()
    {
        const string source = """
            namespace App;
            public interface IBaseGrain : IGrainWithStringKey
            {
                int Broken();
            }

            public interface IDerivedGrain : IBaseGrain
            {
                Task Fine();
            }
            """;

        var run = GeneratorHarness.Run(source);
        Assert.Equal("ACT001", Assert.Single(run.GeneratorDiagnostics).Id);
        Assert.DoesNotContain(run.GeneratedSources, s => s.HintName.Contains("Grain.g.cs", StringComparison.Ordinal));
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void Static_members_and_nested_types_of_a_grain_interface_are_ignored()
    {
        const string source = """
            namespace App;
            public interface IFineGrain : IGrainWithStringKey
            {
                static int Counter { get; set; }
                static Task Helper() => Task.CompletedTask;
                Task Ping();
                public sealed class Nested { }
            }
            """;

        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
    }

    /// <summary>Two method names of the same shape whose signatures "Name()" collide under FNV-1a.</summary>
    private static (string First, string Second) FindCollidingMethodNames()
    {
        // Search deterministically over short identifiers; a 32-bit birthday collision appears within ~10^5 names.
        var seen = new Dictionary<int, string>();
        for (var i = 0; ; i++)
        {
            var name = "M" + i.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
            var id = TestHash.Fnv1a(name + "()");
            if (seen.TryGetValue(id, out var other))
            {
                return (other, name);
            }

            seen.Add(id, name);
        }
    }
}
