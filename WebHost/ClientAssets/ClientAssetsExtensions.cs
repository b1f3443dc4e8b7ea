using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Actors.WebHost.ClientAssets;

/// <summary>
/// Serves the built front ends from wwwroot: the web client at <c>/</c>, the operator dashboard at
/// <c>/dashboard</c> and their hashed bundles under <c>/assets</c>. The pages are static shells; all
/// data comes from the API with the user's token, so the dashboard's protection is the operator
/// policy on <c>/api/admin</c> and <c>/hubs/dashboard</c>.
/// </summary>
internal static class ClientAssetsExtensions
{
    private const string NotBuiltPage =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Actors</title></head><body>" +
        "<h1>The web client is not built</h1><p>Build it with <code>npm install &amp;&amp; npm run build</code> in " +
        "<code>WebHost/ClientApp</code> (scripts/run.sh does this), then restart the WebHost. The API is at " +
        "<a href=\"/api-docs\">/api-docs</a>.</p></body></html>";

    /// <summary>Where the built pages are; the default is the web root (wwwroot beside the binaries).</summary>
    public const string RootKey = "Actors:WebClient:Root";

    public static WebApplication MapClientAssets(this WebApplication app)
    {
        var configured = app.Configuration[RootKey];
        IFileProvider webRoot = string.IsNullOrWhiteSpace(configured)
            ? app.Environment.WebRootFileProvider
            : new PhysicalFileProvider(Directory.CreateDirectory(Path.GetFullPath(configured, app.Environment.ContentRootPath)).FullName);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = webRoot,
            OnPrepareResponse = static context =>
            {
                // Bundle names carry a content hash: they never change, so browsers may keep them.
                var path = context.Context.Request.Path;
                context.Context.Response.Headers.CacheControl = path.StartsWithSegments("/assets", StringComparison.Ordinal)
                    ? "public, max-age=31536000, immutable"
                    : "no-cache";
            },
        });

        MapPage(app, "/", "index.html", webRoot).WithName("WebClient");
        MapPage(app, "/dashboard", "dashboard.html", webRoot).WithName("Dashboard");
        return app;
    }

    private static RouteHandlerBuilder MapPage(WebApplication app, string route, string file, IFileProvider webRoot) =>
        app.MapGet(route, (HttpContext context) =>
        {
            var page = webRoot.GetFileInfo(file);
            // Pages are small and must always be revalidated: they name the current bundles.
            context.Response.Headers.CacheControl = "no-cache";
            return page.Exists
                ? Results.File(page.CreateReadStream(), "text/html; charset=utf-8")
                : Results.Content(NotBuiltPage, "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription().AllowAnonymous();
}
