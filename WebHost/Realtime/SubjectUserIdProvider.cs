using Actors.WebHost.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Realtime;

/// <summary>A hub connection's user is the access token's <c>sub</c> (claims are not mapped to WS-* names).</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindUserId();
}
