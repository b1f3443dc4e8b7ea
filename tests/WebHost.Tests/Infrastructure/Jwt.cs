using System.Buffers.Text;

namespace Actors.WebHost.Tests.Infrastructure;

public static class Jwt
{
    /// <summary>The payload of a JWT, unverified.</summary>
    public static JsonElement Payload(string token) =>
        JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[1])).RootElement.Clone();
}
