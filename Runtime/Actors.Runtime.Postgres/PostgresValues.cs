using System.Globalization;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Conversions shared by the PostgreSQL tables.</summary>
internal static class PostgresValues
{
    /// <summary>ETags are sequence values, handed out as invariant decimal strings.</summary>
    public static string FormatETag(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    /// <summary>False for text this provider never issued as an ETag: it cannot match any row.</summary>
    public static bool TryParseETag(string etag, out long value) =>
        long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// What a timestamptz column keeps of <paramref name="value"/>: the instant in UTC (Npgsql writes
    /// only offset 0), truncated to whole microseconds.
    /// </summary>
    public static DateTimeOffset ToStoredTime(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }

    public static NpgsqlParameter<string> Text(string value) => new() { TypedValue = value };

    public static NpgsqlParameter<long> Int64(long value) => new() { TypedValue = value };

    public static NpgsqlParameter<int> Int32(int value) => new() { TypedValue = value };

    public static NpgsqlParameter<DateTimeOffset> Time(DateTimeOffset value) => new() { TypedValue = ToStoredTime(value) };
}
