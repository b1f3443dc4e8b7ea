namespace Actors.Runtime.Messaging;

/// <summary>The call being handled by the current async flow, if it runs inside an activation.</summary>
internal static class RuntimeContext
{
    private static readonly AsyncLocal<Message?> CurrentMessage = new();

    public static Message? Current
    {
        get => CurrentMessage.Value;
        set => CurrentMessage.Value = value;
    }
}
