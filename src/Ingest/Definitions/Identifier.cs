using System.Text.RegularExpressions;

namespace Ingest.Definitions;

/// <summary>
/// Validation of the names that reach paths, object keys and SQL: domains, dataset names,
/// column names and catalog names.
/// </summary>
internal static partial class Identifier
{
    /// <summary>The pattern every identifier must match.</summary>
    public const string Pattern = "^[a-z][a-z0-9_]{0,63}$";

    /// <summary>Returns whether <paramref name="value"/> is a valid identifier.</summary>
    public static bool IsValid(string? value) => value is not null && IdentifierRegex().IsMatch(value);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the parameter when the value is not a valid identifier.</summary>
    public static void EnsureValid(string? value, string parameterName)
    {
        if (!IsValid(value))
        {
            throw new ArgumentException(
                $"'{value}' is not a valid identifier: use lower-case letters, digits and underscores, starting with a letter, at most 64 characters ({Pattern}).",
                parameterName);
        }
    }

    /// <summary>
    /// A valid identifier close to <paramref name="text"/> (lower case, runs of other characters as one underscore, a leading
    /// digit prefixed), or <see langword="null"/> when nothing of it is left; for error messages.
    /// </summary>
    internal static string? Suggest(string text)
    {
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var name = builder.ToString().TrimEnd('_');
        if (name.Length == 0)
        {
            return null;
        }

        name = char.IsAsciiLetter(name[0]) ? name : "c_" + name;
        name = name.Length > 64 ? name[..64].TrimEnd('_') : name;
        return IsValid(name) && name != text ? name : null;
    }

    // Pattern is also the JSON Schema (ECMAScript) form, where $ ends the text; .NET needs \z for that.
    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierRegex();
}
