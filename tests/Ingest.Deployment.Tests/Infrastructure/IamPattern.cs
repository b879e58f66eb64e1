using System.Text.RegularExpressions;

namespace Ingest.Deployment.Tests.Infrastructure;

/// <summary>IAM action matching as AWS evaluates it: case-insensitive, <c>*</c> any run of characters, <c>?</c> one.</summary>
internal static class IamPattern
{
    public static bool Matches(string pattern, string action)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        return Regex.IsMatch(action, regex, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}
