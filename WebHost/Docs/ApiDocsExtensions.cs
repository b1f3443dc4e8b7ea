using System.Reflection;

namespace Actors.WebHost.Docs;

/// <summary>The OpenAPI document (/openapi/v1.json) and a small browsable page (/api-docs) that renders it with no third-party assets.</summary>
public static class ApiDocsExtensions
{
    public const string PagePath = "/api-docs";

    private static readonly (string Path, string Resource, string ContentType)[] Assets =
    [
        (PagePath, "api-docs.html", "text/html; charset=utf-8"),
        (PagePath + "/app.js", "api-docs.js", "text/javascript; charset=utf-8"),
        (PagePath + "/app.css", "api-docs.css", "text/css; charset=utf-8"),
    ];

    public static WebApplicationBuilder AddApiDocs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer<BearerSecurityTransformer>());
        return builder;
    }

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        foreach (var (path, resource, contentType) in Assets)
        {
            var content = Read(resource);
            app.MapGet(path, () => TypedResults.Text(content, contentType)).AllowAnonymous().ExcludeFromDescription();
        }

        return app;
    }

    private static string Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Actors.WebHost.Docs.Assets." + name)
            ?? throw new InvalidOperationException($"Embedded asset {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
