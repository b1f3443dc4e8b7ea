namespace Actors.WebHost.Auth;

/// <summary>Says at startup when tokens are signed with a generated development key.</summary>
internal sealed class SigningKeyWarning(SigningKeys keys, ILogger<SigningKeyWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.IsGenerated)
        {
            AuthLog.GeneratedSigningKey(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
