using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Diagnostics;

/// <summary>Every runtime log line, with stable event ids (1000–1999).</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(1000, LogLevel.Information, "Silo {SiloName} started")]
    public static partial void SiloStarted(ILogger logger, string siloName);

    [LoggerMessage(1001, LogLevel.Information, "Silo {SiloName} stopping: deactivating {Count} activations")]
    public static partial void SiloStopping(ILogger logger, string siloName, int count);

    [LoggerMessage(1002, LogLevel.Information, "Silo {SiloName} stopped")]
    public static partial void SiloStopped(ILogger logger, string siloName);

    [LoggerMessage(1003, LogLevel.Debug, "Running startup task {Task}")]
    public static partial void StartupTask(ILogger logger, string task);

    [LoggerMessage(1010, LogLevel.Warning, "Activation of {GrainId} failed")]
    public static partial void ActivationFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(1011, LogLevel.Warning, "OnDeactivateAsync of {GrainId} failed ({Reason})")]
    public static partial void DeactivationFailed(ILogger logger, Exception exception, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(1012, LogLevel.Debug, "Deactivated {GrainId} ({Reason})")]
    public static partial void Deactivated(ILogger logger, GrainId grainId, DeactivationReason reason);

    [LoggerMessage(1013, LogLevel.Warning, "{GrainId} hit an ETag conflict and will deactivate so the next call reloads its state")]
    public static partial void InconsistentState(ILogger logger, GrainId grainId);

    [LoggerMessage(1020, LogLevel.Warning, "Timer callback of {GrainId} failed")]
    public static partial void TimerFailed(ILogger logger, Exception exception, GrainId grainId);

    [LoggerMessage(1021, LogLevel.Warning, "Call {Method} to {GrainId} timed out after {Timeout}")]
    public static partial void CallTimedOut(ILogger logger, string method, GrainId grainId, TimeSpan timeout);

    [LoggerMessage(1022, LogLevel.Warning, "Call cycle detected calling {Method} on {GrainId}")]
    public static partial void CallCycle(ILogger logger, string method, GrainId grainId);

    [LoggerMessage(1030, LogLevel.Error, "Activation maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);
}
