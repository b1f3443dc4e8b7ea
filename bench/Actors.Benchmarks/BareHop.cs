using System.Threading.Channels;

namespace Actors.Benchmarks;

/// <summary>
/// The baseline "hop": a caller writes (payload, promise) to a channel; one consumer task reads it
/// and completes the promise with the payload. The promise is a plain
/// <see cref="TaskCompletionSource{TResult}"/> (continuations run synchronously), as the runtime's
/// own promise is (<c>GrainRequest&lt;T&gt;.CreatePromise</c>), and the consumer is woken through
/// the thread pool as an activation is. Like an activation's turn loop, the consumer gives its thread
/// back after <see cref="BatchSize"/> items (the silo's default <c>TurnBatchSize</c>): without that,
/// a consumer whose caller continues inline and writes again never leaves its loop, and with many
/// consumers two caller/consumer pairs would own both cores while the others starve.
/// </summary>
public sealed class BareHop : IAsyncDisposable
{
    private readonly Channel<(int Payload, TaskCompletionSource<int> Promise)> channel =
        Channel.CreateUnbounded<(int, TaskCompletionSource<int>)>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });

    /// <summary>Items handled before the consumer yields its thread (same as the silo's turn budget).</summary>
    public static readonly int BatchSize = new Actors.Runtime.Configuration.SiloOptions().TurnBatchSize;

    private readonly Task consumer;

    public BareHop() => consumer = Task.Run(ConsumeAsync);

    public Task<int> PingAsync(int payload)
    {
        var promise = new TaskCompletionSource<int>();
        if (!channel.Writer.TryWrite((payload, promise)))
        {
            promise.SetException(new InvalidOperationException("The hop is closed."));
        }

        return promise.Task;
    }

    private async Task ConsumeAsync()
    {
        var reader = channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            var budget = BatchSize;
            while (budget > 0 && reader.TryRead(out var item))
            {
                item.Promise.TrySetResult(item.Payload);
                budget--;
            }

            if (budget == 0)
            {
                await Task.Yield(); // out of budget with work left, maybe: requeue behind the others
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        channel.Writer.TryComplete();
        await consumer.ConfigureAwait(false);
    }
}
