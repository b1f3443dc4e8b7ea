namespace Actors.WebHost.Tests.Infrastructure;

/// <summary>A registered user with an HttpClient that sends their access token.</summary>
public sealed record TestUser(string Id, string Email, string Password, string DisplayName, string AccessToken, string RefreshToken, HttpClient Client);
