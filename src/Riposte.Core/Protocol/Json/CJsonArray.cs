namespace Riposte.Protocol.Json;

/// <summary>A JSON array.</summary>
public sealed class CJsonArray : CJsonNode
{
    private readonly List<CJsonNode> _items = [];

    /// <summary>Creates an empty array.</summary>
    public CJsonArray()
    {
    }

    /// <summary>Creates an array holding <paramref name="items"/> in order.</summary>
    /// <param name="items">The elements.</param>
    public CJsonArray(IEnumerable<CJsonNode> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        foreach (CJsonNode item in items)
        {
            Add(item);
        }
    }

    /// <inheritdoc/>
    public override CJsonNodeKind Kind => CJsonNodeKind.Array;

    /// <summary>Number of elements.</summary>
    public int Count => _items.Count;

    /// <summary>The elements in order.</summary>
    public IReadOnlyList<CJsonNode> Items => _items;

    /// <summary>Gets or replaces the element at <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based position.</param>
    public CJsonNode this[int index]
    {
        get => _items[index];
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _items[index] = value;
        }
    }

    /// <summary>Appends an element.</summary>
    /// <param name="item">The element.</param>
    public void Add(CJsonNode item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items.Add(item);
    }

    /// <summary>Inserts an element before position <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based position.</param>
    /// <param name="item">The element.</param>
    public void Insert(int index, CJsonNode item)
    {
        ArgumentNullException.ThrowIfNull(item);
        _items.Insert(index, item);
    }

    /// <summary>Removes the element at <paramref name="index"/>.</summary>
    /// <param name="index">Zero-based position.</param>
    public void RemoveAt(int index) => _items.RemoveAt(index);

    internal override void WriteCore(ref CJsonOutput output)
    {
        output.WriteByte((byte)'[');
        for (int i = 0; i < _items.Count; i++)
        {
            if (i > 0)
            {
                output.WriteByte((byte)',');
            }

            _items[i].WriteCore(ref output);
        }

        output.WriteByte((byte)']');
    }
}
