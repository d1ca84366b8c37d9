namespace Riposte.Protocol;

/// <summary>The escaping the manager applies to JSON bodies for agents 4.2.0 to 4.2.4.</summary>
public static class Agent42Escaper
{
    /// <summary>Replaces <c>!</c>, <c>$</c>, <c>'</c> and backquote with <c>\\x21</c>, <c>\\x24</c>, <c>\\x27</c>, <c>\\x60</c> in the serialized text.</summary>
    public static byte[] Escape(ReadOnlySpan<byte> json)
    {
        var count = 0;
        foreach (var b in json)
        {
            if (b is (byte)'!' or (byte)'$' or (byte)'\'' or (byte)'`')
            {
                count++;
            }
        }

        var output = new byte[json.Length + (count * 4)];
        var o = 0;
        foreach (var b in json)
        {
            var hex = b switch
            {
                (byte)'!' => "21"u8,
                (byte)'$' => "24"u8,
                (byte)'\'' => "27"u8,
                (byte)'`' => "60"u8,
                _ => default,
            };
            if (hex.IsEmpty)
            {
                output[o++] = b;
                continue;
            }

            output[o++] = (byte)'\\';
            output[o++] = (byte)'\\';
            output[o++] = (byte)'x';
            output[o++] = hex[0];
            output[o++] = hex[1];
        }

        return output;
    }
}
