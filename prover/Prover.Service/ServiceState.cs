using System.Text;
using System.Text.Json;

namespace Prover.Service;

/// <summary>
/// What one identity is doing, as post-service's operator API reports it (spec §8.5): serde's externally tagged enum,
/// i.e. <c>"Idle"</c>, <c>{"Proving":{"nonces":{"start":0,"end":128},"position":10000}}</c> or <c>"DoneProving"</c>.
/// </summary>
public abstract record ServiceState
{
    public static ServiceState Idle { get; } = new IdleState();

    public static ServiceState DoneProving { get; } = new DoneProvingState();

    /// <summary>Numeric form for the metrics: 0 idle, 1 proving, 2 done proving.</summary>
    public abstract int Code { get; }

    /// <summary>The JSON post-service's <c>GET /status</c> returns.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    protected abstract void Write(Utf8JsonWriter writer);

    public sealed record IdleState : ServiceState
    {
        public override int Code => 0;

        protected override void Write(Utf8JsonWriter writer) => writer.WriteStringValue("Idle");
    }

    /// <summary>Proving nonces [<paramref name="NonceStart"/>, <paramref name="NonceEnd"/>); <paramref name="Position"/> bytes done.</summary>
    public sealed record Proving(uint NonceStart, uint NonceEnd, ulong Position) : ServiceState
    {
        public override int Code => 1;

        protected override void Write(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Proving");
            writer.WriteStartObject("nonces");
            writer.WriteNumber("start", NonceStart);
            writer.WriteNumber("end", NonceEnd);
            writer.WriteEndObject();
            writer.WriteNumber("position", Position);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
    }

    public sealed record DoneProvingState : ServiceState
    {
        public override int Code => 2;

        protected override void Write(Utf8JsonWriter writer) => writer.WriteStringValue("DoneProving");
    }
}
