using System.Text;

namespace Riposte.Protocol.Json;

/// <summary>
/// A JSON object as cJSON keeps it: an ordered list of members in which duplicate names are allowed.
/// </summary>
/// <remarks>
/// Names are stored as UTF-8 bytes, cut at the first NUL like the C strings cJSON stores. Lookups by
/// name follow <c>cJSON_GetObjectItem</c>: ASCII case-insensitive, first match wins.
/// </remarks>
public sealed class CJsonObject : CJsonNode
{
    private readonly List<Member> _members = [];

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Object;

    /// <summary>Number of members, duplicates included.</summary>
    public int Count => _members.Count;

    /// <summary>The members in order, with names decoded from UTF-8.</summary>
    public IEnumerable<KeyValuePair<string, CJsonNode>> Members
    {
        get
        {
            foreach (Member member in _members)
            {
                yield return new KeyValuePair<string, CJsonNode>(Encoding.UTF8.GetString(member.Name), member.Value);
            }
        }
    }

    /// <summary>The name of the member at <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based member position.</param>
    /// <returns>The name decoded from UTF-8.</returns>
    public string GetName(int index) => Encoding.UTF8.GetString(_members[index].Name);

    /// <summary>The value of the member at <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based member position.</param>
    /// <returns>The value.</returns>
    public CJsonNode GetValue(int index) => _members[index].Value;

    /// <summary>
    /// The value of the first member whose name matches <paramref name="name"/> ignoring ASCII case
    /// (<c>cJSON_GetObjectItem</c>).
    /// </summary>
    /// <param name="name">The member name.</param>
    /// <returns>The value, or null if there is no such member.</returns>
    public CJsonNode? Get(string name)
    {
        int index = IndexOf(name);
        return index < 0 ? null : _members[index].Value;
    }

    /// <summary>
    /// The value of the first member whose name matches the UTF-8 <paramref name="utf8Name"/> ignoring
    /// ASCII case (<c>cJSON_GetObjectItem</c>).
    /// </summary>
    /// <param name="utf8Name">The member name as UTF-8.</param>
    /// <returns>The value, or null if there is no such member.</returns>
    public CJsonNode? Get(ReadOnlySpan<byte> utf8Name)
    {
        int index = IndexOf(utf8Name);
        return index < 0 ? null : _members[index].Value;
    }

    /// <summary>The first matching member if it is an object (<c>cJSON_IsObject(cJSON_GetObjectItem(...))</c>).</summary>
    /// <param name="name">The member name.</param>
    /// <returns>The object, or null if the first match is absent or not an object.</returns>
    public CJsonObject? GetObject(string name) => Get(name) as CJsonObject;

    /// <summary>The first matching member if it is an array.</summary>
    /// <param name="name">The member name.</param>
    /// <returns>The array, or null if the first match is absent or not an array.</returns>
    public CJsonArray? GetArray(string name) => Get(name) as CJsonArray;

    /// <summary>
    /// The string value of the first matching member (<c>cJSON_GetStringValue(cJSON_GetObjectItem(...))</c>).
    /// A later duplicate is never consulted, even if the first match is not a string.
    /// </summary>
    /// <param name="name">The member name.</param>
    /// <returns>The string, or null if the first match is absent or not a string.</returns>
    public string? GetString(string name) => (Get(name) as CJsonString)?.Value;

    /// <summary>
    /// Position of the first member whose name matches <paramref name="name"/> ignoring ASCII case.
    /// </summary>
    /// <param name="name">The member name.</param>
    /// <returns>The index, or -1.</returns>
    public int IndexOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int maxBytes = Encoding.UTF8.GetMaxByteCount(name.Length);
        if (maxBytes <= 256)
        {
            Span<byte> utf8 = stackalloc byte[256];
            int length = Encoding.UTF8.GetBytes(name, utf8);
            return IndexOf(utf8[..length]);
        }

        return IndexOf(Encoding.UTF8.GetBytes(name));
    }

    /// <summary>
    /// Position of the first member whose name matches the UTF-8 <paramref name="utf8Name"/> ignoring ASCII case.
    /// </summary>
    /// <param name="utf8Name">The member name as UTF-8.</param>
    /// <returns>The index, or -1.</returns>
    public int IndexOf(ReadOnlySpan<byte> utf8Name)
    {
        for (int i = 0; i < _members.Count; i++)
        {
            if (CJsonStrings.EqualsIgnoreAsciiCase(_members[i].Name, utf8Name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Appends a member, even if one with the same name exists (<c>cJSON_AddItemToObject</c>).</summary>
    /// <param name="name">The member name.</param>
    /// <param name="value">The value.</param>
    public void Add(string name, CJsonNode value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _members.Add(new Member(ToCString(name), value));
    }

    /// <summary>Appends a string member.</summary>
    /// <param name="name">The member name.</param>
    /// <param name="value">The string value.</param>
    public void Add(string name, string value) => Add(name, new CJsonString(value));

    /// <summary>
    /// Replaces the value of the first member matching <paramref name="name"/> ignoring ASCII case,
    /// keeping its position (<c>cJSON_ReplaceItemInObject</c>). As in cJSON, the member takes
    /// <paramref name="name"/> as its new name, so the spelling given here is what gets printed.
    /// </summary>
    /// <param name="name">The member name.</param>
    /// <param name="value">The new value.</param>
    /// <returns>False, with no change, if there is no such member.</returns>
    public bool Replace(string name, CJsonNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _members[index] = new Member(ToCString(name), value);
        return true;
    }

    /// <summary>Replaces the first matching member with a string value, keeping its position.</summary>
    /// <param name="name">The member name.</param>
    /// <param name="value">The new string value.</param>
    /// <returns>False, with no change, if there is no such member.</returns>
    public bool Replace(string name, string value) => Replace(name, new CJsonString(value));

    /// <summary>
    /// Removes the first member matching <paramref name="name"/> ignoring ASCII case
    /// (<c>cJSON_DeleteItemFromObject</c>); later duplicates stay.
    /// </summary>
    /// <param name="name">The member name.</param>
    /// <returns>False if there is no such member.</returns>
    public bool Remove(string name)
    {
        int index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _members.RemoveAt(index);
        return true;
    }

    /// <summary>Removes the member at <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based member position.</param>
    public void RemoveAt(int index) => _members.RemoveAt(index);

    internal void AddUtf8(byte[] cStringName, CJsonNode value) => _members.Add(new Member(cStringName, value));

    internal override void WriteCore(ref CJsonOutput output)
    {
        output.WriteByte((byte)'{');
        for (int i = 0; i < _members.Count; i++)
        {
            if (i > 0)
            {
                output.WriteByte((byte)',');
            }

            Member member = _members[i];
            CJsonStrings.WriteQuoted(ref output, member.Name);
            output.WriteByte((byte)':');
            member.Value.WriteCore(ref output);
        }

        output.WriteByte((byte)'}');
    }

    private static byte[] ToCString(string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        int length = CJsonStrings.CStringLength(bytes);
        return length == bytes.Length ? bytes : bytes[..length];
    }

    private readonly record struct Member(byte[] Name, CJsonNode Value);
}
