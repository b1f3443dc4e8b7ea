using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebHost.Auth;

/// <summary>The HS256 key tokens are signed and checked with: configured, or random per process (development).</summary>
internal sealed class SigningKeys
{
    public const int MinimumBytes = 32;

    public SigningKeys(IOptions<AuthOptions> options)
    {
        var configured = options.Value.SigningKey;
        var bytes = string.IsNullOrEmpty(configured) ? null : Decode(configured);
        IsGenerated = bytes is null;
        Key = new SymmetricSecurityKey(bytes ?? RandomNumberGenerator.GetBytes(64)) { KeyId = IsGenerated ? "dev" : "configured" };
        Credentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256);
    }

    /// <summary>True when no key was configured: tokens die with the process and differ between nodes.</summary>
    public bool IsGenerated { get; }

    public SymmetricSecurityKey Key { get; }

    public SigningCredentials Credentials { get; }

    /// <summary>Base64 of ≥ 32 bytes, else UTF-8 text of ≥ 32 characters, else null.</summary>
    public static byte[]? Decode(string value)
    {
        var buffer = new byte[value.Length];
        if (value.Length >= 44 && Convert.TryFromBase64String(value, buffer, out var written) && written >= MinimumBytes)
        {
            return buffer[..written];
        }

        return value.Length >= MinimumBytes ? Encoding.UTF8.GetBytes(value) : null;
    }
}
