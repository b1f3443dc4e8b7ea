using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Actors.Runtime.Messaging;

namespace Actors.Runtime.Diagnostics;

/// <summary>Instruments of meter <see cref="MeterName"/>. Hot-path instruments cost nothing without a listener.</summary>
internal sealed class RuntimeMetrics
{
    public const string MeterName = "Actors.Runtime";

    private readonly Counter<long> calls;
    private readonly Counter<long> errors;
    private readonly Counter<long> timeouts;
    private readonly Histogram<double> duration;
    private readonly Counter<long> sent;
    private readonly Counter<long> received;
    private readonly ConcurrentDictionary<string, StrongBox> activationsByType = new(StringComparer.Ordinal);
    private readonly TimeProvider timeProvider;

    public RuntimeMetrics(IMeterFactory meterFactory, TimeProvider timeProvider, Func<long> mailboxDepth)
    {
        this.timeProvider = timeProvider;
        var meter = meterFactory.Create(MeterName);
        calls = meter.CreateCounter<long>("actors.grain.calls", "{call}", "Grain calls completed.");
        errors = meter.CreateCounter<long>("actors.grain.call.errors", "{call}", "Grain calls that failed.");
        timeouts = meter.CreateCounter<long>("actors.grain.call.timeouts", "{call}", "Grain calls that timed out.");
        duration = meter.CreateHistogram<double>("actors.grain.call.duration", "ms", "Grain call latency, from send to completion.");
        sent = meter.CreateCounter<long>("actors.messages.sent", "{message}", "Messages sent.");
        received = meter.CreateCounter<long>("actors.messages.received", "{message}", "Messages received by activations.");
        meter.CreateObservableUpDownCounter("actors.activations", ObserveActivations, "{activation}", "Live activations per grain type.");
        meter.CreateObservableGauge("actors.mailbox.depth", mailboxDepth, "{message}", "Messages waiting in activation mailboxes.");
    }

    /// <summary>The timestamp to stamp on a message for latency measurement, or 0 when nobody listens.</summary>
    public long StartTimestamp() => duration.Enabled ? timeProvider.GetTimestamp() : 0;

    public void MessageSent(string grainType)
    {
        if (sent.Enabled)
        {
            sent.Add(1, new KeyValuePair<string, object?>("grain.type", grainType));
        }
    }

    public void CallCompleted(Message message, string grainType, bool failed)
    {
        if (received.Enabled)
        {
            received.Add(1, new KeyValuePair<string, object?>("grain.type", grainType));
        }

        if (!calls.Enabled && !errors.Enabled && !duration.Enabled)
        {
            return;
        }

        var tags = new TagList { { "grain.type", grainType }, { "grain.method", message.Request.Method.Name } };
        calls.Add(1, tags);
        if (failed)
        {
            errors.Add(1, tags);
        }

        if (message.SentAt != 0)
        {
            duration.Record(timeProvider.GetElapsedTime(message.SentAt).TotalMilliseconds, tags);
        }
    }

    public void CallTimedOut(string grainType, string method) =>
        timeouts.Add(1, new KeyValuePair<string, object?>("grain.type", grainType), new KeyValuePair<string, object?>("grain.method", method));

    public void ActivationCreated(string grainType) =>
        Interlocked.Increment(ref activationsByType.GetOrAdd(grainType, static _ => new StrongBox()).Value);

    public void ActivationRemoved(string grainType) =>
        Interlocked.Decrement(ref activationsByType.GetOrAdd(grainType, static _ => new StrongBox()).Value);

    public IReadOnlyDictionary<string, long> ActivationsByType() =>
        activationsByType.ToDictionary(p => p.Key, p => Volatile.Read(ref p.Value.Value), StringComparer.Ordinal);

    private IEnumerable<Measurement<long>> ObserveActivations()
    {
        foreach (var pair in activationsByType)
        {
            yield return new Measurement<long>(Volatile.Read(ref pair.Value.Value), new KeyValuePair<string, object?>("grain.type", pair.Key));
        }
    }

    private sealed class StrongBox
    {
        public long Value;
    }
}
