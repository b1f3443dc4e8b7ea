using System.Reflection;
using Microsoft.Extensions.Logging;

namespace Architecture.Tests;

/// <summary>Operators filter and alert on event ids (docs/operations.md): one id means one event.</summary>
public sealed class LogEventIdTests
{
    private static readonly string[] Assemblies =
        ["Actors.Runtime", "Actors.Runtime.Postgres", "Grains", "Silo", "WebHost"];

    [Fact]
    public void Every_logged_event_has_an_id_of_its_own_across_all_our_assemblies()
    {
        var events = Assemblies
            .SelectMany(name => Assembly.Load(name).GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (e.Attribute!.EventId, Name: $"{e.Method.DeclaringType!.FullName}.{e.Method.Name}"))
            .ToList();

        Assert.True(events.Count > 50, $"only {events.Count} logging methods found");
        var shared = events.GroupBy(e => e.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used more than once:\n" + string.Join("\n", shared));
    }
}
