using System.Text.RegularExpressions;

namespace Actors.Grains;

/// <summary>The limits of DESIGN §4–§5, shared by grains (enforced) and the web host (validated early).</summary>
public static partial class Limits
{
    public const int TitleMax = 200;
    public const int EventPayloadMaxBytes = 16 * 1024;
    public const int ResourceDataMaxBytes = 256 * 1024;
    public const int JsonMaxDepth = 32;
    public const int PresenceMetaMaxBytes = 1024;
    public const int EmailMax = 254;
    public const int PasswordMin = 8;
    public const int PasswordMax = 256;
    public const int DisplayNameMax = 100;
    public const int ResourceNameMax = 200;
    public const int ClientMsgIdMax = 128;
    public const int EventsPageMax = 1000;
    public const int LockTtlMaxSeconds = 300;
    public const int HistoryKept = 50;

    /// <summary>Ids in routes: server-generated, URL-safe.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex Id();

    /// <summary>Event types and resource kinds.</summary>
    [GeneratedRegex("^[a-z0-9._-]{1,64}$")]
    public static partial Regex TypeName();
}
