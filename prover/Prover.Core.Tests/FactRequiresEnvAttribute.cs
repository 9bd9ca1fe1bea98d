using Xunit;

namespace Prover.Core.Tests;

/// <summary>
/// A <see cref="FactAttribute"/> that is skipped unless an environment variable has a given value (xunit 2 has no
/// dynamic skip): used for slow or memory-hungry tests such as RandomX fast mode (~2 GiB, tens of seconds).
/// </summary>
public sealed class FactRequiresEnvAttribute : FactAttribute
{
    public FactRequiresEnvAttribute(string variable, string value = "1")
    {
        Variable = variable;
        Value = value;
        if (!string.Equals(Environment.GetEnvironmentVariable(variable), value, StringComparison.Ordinal))
        {
            Skip = $"set {variable}={value} to run this test";
        }
    }

    public string Variable { get; }

    public string Value { get; }
}
