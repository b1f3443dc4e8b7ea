using System.Buffers.Text;

namespace Actors.WebHost.Api;

/// <summary>Server-generated ids: 22 URL-safe characters (base64url of a random Guid), matching <c>[A-Za-z0-9_-]{1,64}</c>.</summary>
public static class NewId
{
    public static string Create()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.NewGuid().TryWriteBytes(bytes);
        return Base64Url.EncodeToString(bytes);
    }
}
