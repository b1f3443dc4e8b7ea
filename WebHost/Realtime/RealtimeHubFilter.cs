using Actors.Grains;
using Microsoft.AspNetCore.SignalR;

namespace Actors.WebHost.Realtime;

/// <summary>Turns every failure of a hub method into a HubException "code: sentence"; never leaks internals.</summary>
internal sealed class RealtimeHubFilter(ILogger<RealtimeHubFilter> logger, Actors.WebHost.Security.IUserRateLimiter limiter) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // Hub calls share the user's REST budget.
        if (invocationContext.Context.UserIdentifier is { } userId && limiter.TryAcquire(userId) is { Allowed: false } decision)
        {
            throw new HubException($"{ErrorCodes.RateLimited}: too many requests; retry in {decision.RetryAfterSeconds} s");
        }

        try
        {
            return await next(invocationContext);
        }
        catch (HubException)
        {
            throw;
        }
        catch (DomainException exception)
        {
            throw new HubException(exception.Message);
        }
        catch (Exception exception) when (exception is SiloUnavailableException or TimeoutException or GrainStorageException)
        {
            throw new HubException($"{ErrorCodes.Unavailable}: the service is temporarily unavailable, try again");
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException or System.Text.Json.JsonException or InvalidDataException)
        {
            throw new HubException($"{ErrorCodes.ValidationFailed}: {exception.Message}");
        }
        catch (Exception exception)
        {
            RealtimeLog.HubMethodFailed(logger, exception, invocationContext.HubMethodName);
            throw new HubException($"{ErrorCodes.Unavailable}: the request could not be completed");
        }
    }
}
