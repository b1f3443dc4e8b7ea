using Actors.Grains;
using Actors.WebHost.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Security;

/// <summary>
/// Refuses bodies over <see cref="RequestLimitOptions.MaxRequestBodyBytes"/> with 413: at once when
/// Content-Length says so, else (chunked) by reading at most the limit into memory first.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<RequestLimitOptions> options, IProblemDetailsService problems)
{
    private readonly long max = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }

        if (request.ContentLength is { } length)
        {
            if (length > max)
            {
                await RejectAsync(context);
                return;
            }
        }
        else if (HasBody(context))
        {
            var buffered = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffered.Length + read > max)
                {
                    await RejectAsync(context);
                    return;
                }

                buffered.Write(chunk, 0, read);
            }

            buffered.Position = 0;
            request.Body = buffered;
            request.ContentLength = buffered.Length;
            context.Response.RegisterForDispose(buffered);
        }

        await next(context);
    }

    private static bool HasBody(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true }
        && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true }
        && (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? context.Request.Headers.TransferEncoding.Count > 0);

    private Task RejectAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        context.Response.Headers.Connection = "close";
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = ApiProblem.Create(ErrorCodes.PayloadTooLarge, $"the request body is larger than {max} bytes"),
        }).AsTask();
    }
}
