using System.Collections.Immutable;

namespace Actors.Grains.Users;

/// <summary>Validation and normalisation of user input (DESIGN §5 limits).</summary>
internal static class UserRules
{
    /// <summary>Platform roles in their canonical order.</summary>
    public static readonly ImmutableArray<string> KnownRoles = [Roles.Member, Roles.Operator, Roles.Admin];

    /// <summary>How the email index is keyed: trimmed, lower-case (invariant).</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Returns the trimmed address or throws validation_failed.</summary>
    public static string CheckEmail(string? email)
    {
        var trimmed = (email ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw DomainException.Validation("email", "is required");
        }

        if (trimmed.Length > Limits.EmailMax)
        {
            throw DomainException.Validation("email", $"must be at most {Limits.EmailMax} characters");
        }

        if (!IsPlausibleEmail(trimmed))
        {
            throw DomainException.Validation("email", "is not a valid email address");
        }

        return trimmed;
    }

    /// <summary>
    /// local@domain: a dot-atom local part of 1–64 characters without spaces or specials, and a
    /// domain of at least two dot-separated labels of letters, digits and inner hyphens.
    /// </summary>
    public static bool IsPlausibleEmail(string email)
    {
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return false;
        }

        var local = email.AsSpan(0, at);
        var domain = email.AsSpan(at + 1);
        if (local.Length > 64 || domain.Length > 253 || local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '@' or '"' or '(' or ')' or ',' or ':' or ';' or '<' or '>' or '[' or ']' or '\\')
            {
                return false;
            }
        }

        var labels = 0;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!char.IsLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }

            labels++;
        }

        return labels >= 2;
    }

    public static void CheckPassword(string? password)
    {
        if (password is null || password.Length < Limits.PasswordMin)
        {
            throw DomainException.Validation("password", $"must be at least {Limits.PasswordMin} characters");
        }

        if (password.Length > Limits.PasswordMax)
        {
            throw DomainException.Validation("password", $"must be at most {Limits.PasswordMax} characters");
        }
    }

    /// <summary>Returns the trimmed name or throws validation_failed.</summary>
    public static string CheckDisplayName(string? displayName)
    {
        var trimmed = (displayName ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw DomainException.Validation("displayName", "is required");
        }

        if (trimmed.Length > Limits.DisplayNameMax)
        {
            throw DomainException.Validation("displayName", $"must be at most {Limits.DisplayNameMax} characters");
        }

        if (trimmed.Any(char.IsControl))
        {
            throw DomainException.Validation("displayName", "must not contain control characters");
        }

        return trimmed;
    }

    /// <summary>Known roles only, without duplicates, in canonical order; none given means member.</summary>
    public static List<string> CheckRoles(ImmutableArray<string> roles)
    {
        if (roles.IsDefaultOrEmpty)
        {
            return [Roles.Member];
        }

        foreach (var role in roles)
        {
            if (!KnownRoles.Contains(role, StringComparer.Ordinal))
            {
                throw DomainException.Validation("roles", $"'{role}' is not a role; use {string.Join(", ", KnownRoles)}");
            }
        }

        return [.. KnownRoles.Where(r => roles.Contains(r, StringComparer.Ordinal))];
    }
}
