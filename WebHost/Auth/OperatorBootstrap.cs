using System.Collections.Immutable;
using Actors.Grains;

namespace Actors.WebHost.Auth;

/// <summary>
/// Emails that become operators when they register (<c>Actors:Bootstrap:OperatorEmails</c>, a comma
/// list or an array), so a fresh installation has someone who can open the dashboard.
/// </summary>
internal sealed class OperatorBootstrap
{
    public const string SectionName = "Actors:Bootstrap";

    private readonly HashSet<string> emails;

    public OperatorBootstrap(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName).GetSection("OperatorEmails");
        var values = new List<string?> { section.Value };
        values.AddRange(section.GetChildren().Select(c => c.Value));
        emails = values
            .SelectMany(v => (v ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(AccountEmails.Normalize)
            .ToHashSet(StringComparer.Ordinal);
    }

    public ImmutableArray<string> RolesFor(string normalizedEmail) =>
        emails.Contains(normalizedEmail) ? [Roles.Member, Roles.Operator] : [Roles.Member];
}

internal static class AccountEmails
{
    /// <summary>How emails are compared and keyed (the email index): trimmed, lower-case invariant.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();
}
