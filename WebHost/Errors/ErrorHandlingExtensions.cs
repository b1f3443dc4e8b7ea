using Microsoft.AspNetCore.Http.Json;

namespace Actors.WebHost.Errors;

/// <summary>Every error response is <c>application/problem+json</c> with a <c>code</c> (DESIGN §5).</summary>
public static class ErrorHandlingExtensions
{
    public static WebApplicationBuilder AddErrorHandling(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemCodes.Complete);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();

        // Binding failures (malformed JSON, wrong content type, missing body) throw, so the handler gives them a code.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(options => options.SerializerOptions.AllowTrailingCommas = false);
        return builder;
    }

    /// <summary>Exceptions and empty error responses (unknown route 404, wrong method 405…) become problems.</summary>
    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
