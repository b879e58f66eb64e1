using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The one way Ingest's options are validated. Every options type lists its problems, one line each that names the
/// option, its value and what is expected (<c>GetErrors()</c>). In a container the list becomes an
/// <see cref="IValidateOptions{TOptions}"/> checked when the host starts (<c>ValidateOnStart</c>), so a bad setting fails
/// the start with <see cref="OptionsValidationException"/> and never the first run; without a container the factories and
/// builders throw the same lines (<see cref="ThrowIfAny"/>).
/// </summary>
internal static class OptionsValidation
{
    /// <summary>Validates the options with <paramref name="errors"/> when the host starts (and at every first read of the value).</summary>
    public static OptionsBuilder<TOptions> ValidateErrorsOnStart<TOptions>(this OptionsBuilder<TOptions> options, Func<TOptions, IReadOnlyList<string>> errors)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        options.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new ErrorsValidator<TOptions>(errors)));
        return options.ValidateOnStart();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> with every line of <paramref name="errors"/> when there are any.</summary>
    public static void ThrowIfAny(IReadOnlyList<string> errors, string parameterName)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), parameterName);
        }
    }

    private sealed class ErrorsValidator<TOptions>(Func<TOptions, IReadOnlyList<string>> errors) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var found = errors(options);
            return found.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(found);
        }
    }
}
