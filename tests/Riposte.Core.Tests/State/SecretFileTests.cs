namespace Riposte.State;

public sealed class SecretFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("riposte-secret-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void A_private_file_of_this_user_gives_its_one_line_trimmed()
    {
        SecretFile.Read(Write("token", "s3cret-token\n"), "the token file", out var error).ShouldBe("s3cret-token");
        error.ShouldBeNull();
    }

    [Fact]
    public void A_symlink_is_refused_even_to_a_good_file_so_root_never_follows_one()
    {
        var good = Write("real", "s3cret");
        var link = Path.Combine(_dir, "link");
        File.CreateSymbolicLink(link, good);

        SecretFile.Read(link, "the token file", out var error).ShouldBeNull();
        error!.ShouldContain("is a symlink");
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead, "0604")]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.GroupRead, "0440")]
    public void Group_or_other_access_is_refused(UnixFileMode mode, string shown)
    {
        SecretFile.Read(Write("token", "s3cret", mode), "the token file", out var error).ShouldBeNull();
        error!.ShouldContain($"has mode {shown}");
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("two words", "one token on one line")]
    public void An_empty_or_spaced_file_is_refused(string text, string why)
    {
        SecretFile.Read(Write("token", text), "the token file", out var error).ShouldBeNull();
        error!.ShouldContain(why);
    }

    [Fact]
    public void A_missing_file_a_directory_and_a_fifo_are_refused_without_blocking()
    {
        SecretFile.Read(Path.Combine(_dir, "nope"), "the token file", out var missing).ShouldBeNull();
        missing!.ShouldContain("does not exist");
        SecretFile.Read(_dir, "the token file", out var directory).ShouldBeNull();
        directory!.ShouldContain("not a regular file");
        var fifo = Path.Combine(_dir, "fifo");
        SpecialFiles.MakeFifo(fifo);
        SecretFile.Read(fifo, "the token file", out var pipe).ShouldBeNull();
        pipe!.ShouldContain("not a regular file");
    }
}
