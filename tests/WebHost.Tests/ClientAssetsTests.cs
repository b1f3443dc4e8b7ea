using System.Net;
using Actors.WebHost.Tests.Infrastructure;

namespace Actors.WebHost.Tests;

/// <summary>A WebHost whose web root is a folder the test fills (a stand-in for vite's output).</summary>
public class WebRootFactory : ApiFactory
{
    public string WebRoot { get; } = Directory.CreateTempSubdirectory("actors-webroot-").FullName;

    protected override IDictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["Actors:WebClient:Root"] = WebRoot;
        return settings;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(WebRoot, recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>A web root that stays empty (a WebHost built without its front end).</summary>
public sealed class EmptyWebRootFactory : WebRootFactory;

public sealed class UnbuiltClientAssetsTests(EmptyWebRootFactory factory) : IClassFixture<EmptyWebRootFactory>
{
    [Fact]
    public async Task Without_built_pages_the_root_and_the_dashboard_explain_how_to_build_them()
    {
        using var client = factory.CreateApiClient();

        foreach (var path in new[] { "/", "/dashboard" })
        {
            var response = await client.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("npm run build", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

}

public sealed class ClientAssetsTests(WebRootFactory factory) : IClassFixture<WebRootFactory>
{
    [Fact]
    public async Task Built_pages_are_served_at_their_routes_and_hashed_bundles_are_cached_for_good()
    {
        Directory.CreateDirectory(Path.Combine(factory.WebRoot, "assets"));
        await File.WriteAllTextAsync(Path.Combine(factory.WebRoot, "index.html"), "<!doctype html><title>client</title><script type=\"module\" src=\"/assets/app-abc123.js\"></script>");
        await File.WriteAllTextAsync(Path.Combine(factory.WebRoot, "dashboard.html"), "<!doctype html><title>dashboard</title>");
        await File.WriteAllTextAsync(Path.Combine(factory.WebRoot, "assets", "app-abc123.js"), "console.log('hi');");
        using var client = factory.CreateApiClient();

        var page = await client.GetAsync(new Uri("/", UriKind.Relative));
        var dashboard = await client.GetAsync(new Uri("/dashboard", UriKind.Relative));
        var bundle = await client.GetAsync(new Uri("/assets/app-abc123.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<title>client</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-cache", page.Headers.CacheControl?.ToString());
        Assert.Contains("script-src 'self'", string.Join(";", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Contains("<title>dashboard</title>", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        Assert.Equal("text/javascript", bundle.Content.Headers.ContentType?.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", bundle.Headers.CacheControl?.ToString());
        await Expect.ProblemAsync(await client.GetAsync(new Uri("/assets/missing.js", UriKind.Relative)), HttpStatusCode.NotFound, "not_found");
    }
}
