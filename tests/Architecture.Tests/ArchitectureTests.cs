using System.Reflection;

namespace Architecture.Tests;

/// <summary>The dependency rules of the design: Abstractions ← Runtime ← providers, and no domain in the runtime.</summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Ours = ["Actors.", "Grains", "WebHost", "Silo"];

    public static TheoryData<string, string[]> Rules => new()
    {
        { "Actors.Runtime.Abstractions", [] },
        { "Actors.Runtime", ["Actors.Runtime.Abstractions"] },
        { "Actors.Runtime.Postgres", ["Actors.Runtime", "Actors.Runtime.Abstractions"] },
        { "Actors.Runtime.Testing", ["Actors.Runtime", "Actors.Runtime.Abstractions", "Actors.Runtime.Postgres"] },
        { "Grains.Interfaces", ["Actors.Runtime.Abstractions"] },
        { "Grains", ["Grains.Interfaces", "Actors.Runtime.Abstractions", "Actors.Runtime", "Actors.Runtime.Postgres"] },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Assembly_references_only_the_project_assemblies_its_layer_allows(string assembly, string[] allowed)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => Ours.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
            .ToList();

        Assert.All(references, name => Assert.Contains(name, allowed));
    }

    [Theory]
    [InlineData("Actors.Runtime.Abstractions")]
    [InlineData("Actors.Runtime")]
    [InlineData("Actors.Runtime.Postgres")]
    public void Runtime_assemblies_know_nothing_of_users_sessions_or_resources(string assembly)
    {
        var domainTypes = Assembly.Load(assembly).GetTypes()
            .Where(t => t.Namespace?.StartsWith("Actors", StringComparison.Ordinal) == true)
            .Where(t => t.Name.Contains("User", StringComparison.Ordinal) || t.Name.Contains("Session", StringComparison.Ordinal)
                || t.Name.Contains("Resource", StringComparison.Ordinal))
            .Select(t => t.FullName)
            .ToList();

        Assert.Empty(domainTypes);
    }

    [Theory]
    [InlineData("Grains")]
    [InlineData("Grains.Interfaces")]
    public void Domain_assemblies_never_reference_AspNetCore_or_SignalR(string assembly)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.Contains("SignalR", StringComparison.Ordinal));
    }

    [Fact]
    public void Abstractions_do_not_depend_on_AspNetCore_or_hosting()
    {
        var references = typeof(Actors.Grain).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Extensions.Hosting", StringComparison.Ordinal));
    }
}
