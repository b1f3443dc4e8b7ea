using System.Net.Sockets;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Sorts exceptions from Npgsql into "the server cannot be reached" and everything else.</summary>
internal static class PostgresErrors
{
    /// <summary>
    /// True when <paramref name="exception"/> means the server could not be reached or the connection
    /// broke: a refused or timed-out connect, a broken socket, a command timeout, or a server error of
    /// SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, crashed, starting up) or
    /// 53300 (too many connections).
    /// </summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        PostgresException pg => IsConnectionState(pg.SqlState),
        // Errors Npgsql raises itself are about the connection: connect failures, I/O, timeouts.
        NpgsqlException => true,
        SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    public static bool IsConnectionState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is "57P01" or "57P02" or "57P03" or "53300";

    /// <summary>
    /// True when the connection itself broke (the server closed it, was restarted, or the socket
    /// failed) rather than a command timing out: a fresh connection may well succeed at once.
    /// </summary>
    public static bool IsBrokenConnection(Exception exception)
    {
        if (!IsUnreachable(exception))
        {
            return false;
        }

        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True for failures that <see cref="PostgresGrainStorage"/> turns into <see cref="GrainStorageException"/>.</summary>
    public static bool IsStorageFailure(Exception exception) =>
        exception is NpgsqlException or SocketException or TimeoutException or IOException;

    /// <summary>The exception's message followed by the distinct messages of its inner exceptions.</summary>
    public static string Describe(Exception exception)
    {
        var text = exception.Message;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!text.Contains(inner.Message, StringComparison.Ordinal))
            {
                text += $" ({inner.Message})";
            }
        }

        return text;
    }
}
