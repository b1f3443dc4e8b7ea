using Actors.Grains;

namespace Actors.WebHost.Auth;

/// <summary>Authorization policies beyond "signed in".</summary>
public static class AuthPolicies
{
    /// <summary>Operators (and admins): the cluster view and the dashboard.</summary>
    public const string Operator = "operator";

    internal static void Add(Microsoft.AspNetCore.Authorization.AuthorizationBuilder authorization) =>
        authorization.AddPolicy(Operator, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Operator, Roles.Admin));
}
