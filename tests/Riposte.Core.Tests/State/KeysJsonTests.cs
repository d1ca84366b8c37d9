namespace Riposte.State;

public sealed class KeysJsonTests
{
    public static TheoryData<string[]> Lists => new()
    {
        Array.Empty<string>(),
        new[] { "10.0.0.1" },
        new[] { "" },
        new[] { "10.0.0.1", "root" },
        new[] { "a\",\"b" },
        new[] { "quote\"", "back\\slash", "new\nline", "tab\t", "\u0000nul" },
        new[] { "jürgen", "漢字", "🙂" },
        new[] { "dup", "dup" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public void Keys_round_trip(string[] keys)
    {
        var json = KeysJson.Encode(keys);

        KeysJson.Decode(json).ShouldBe(keys);
    }

    [Fact]
    public void Non_ascii_is_stored_readably()
    {
        KeysJson.Encode(["jürgen", "10.0.0.1"]).ShouldBe("[\"jürgen\",\"10.0.0.1\"]");
    }

    [Fact]
    public void Lone_surrogates_do_not_fail_an_add()
    {
        // Not valid Unicode, so not storable as is; what matters is that recording the block does not throw.
        KeysJson.Decode(KeysJson.Encode(["a\ud800b"])).Single().Length.ShouldBe(3);
    }

    [Fact]
    public void Decodes_json_written_by_other_tools()
    {
        KeysJson.Decode("[ \"a\" , \"b\" ]").ShouldBe(["a", "b"]);
        KeysJson.Decode("[\"\\u0041\"]").ShouldBe(["A"]);
    }
}
