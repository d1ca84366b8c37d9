namespace Riposte.State;

public sealed class StateFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("riposte-statefiles-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task As_root_a_symlinked_database_is_refused_and_its_target_left_alone()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "the refusal applies to root only");
        var target = Path.Combine(_root, "elsewhere");
        File.WriteAllText(target, "not a database\n");
        Directory.CreateDirectory(Path.Combine(_root, "riposte"));
        var link = Path.Combine(_root, "riposte", "state.db");
        File.CreateSymbolicLink(link, target);

        var ex = await Should.ThrowAsync<StateStoreException>(async () => await SqliteStateStore.OpenAsync(link, TimeProvider.System, Ct));
        await Should.ThrowAsync<StateStoreException>(async () => await SqliteStateStore.OpenReadOnlyAsync(link, TimeProvider.System, Ct));

        ex.Message.ShouldContain("symbolic link");
        File.ReadAllText(target).ShouldBe("not a database\n");
        File.Exists(target + "-wal").ShouldBeFalse();
    }

    [Fact]
    public async Task As_root_a_symlinked_state_directory_is_refused()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess, "the refusal applies to root only");
        var real = Directory.CreateDirectory(Path.Combine(_root, "real")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(_root, "riposte"), real);

        var ex = await Should.ThrowAsync<StateStoreException>(async () => await SqliteStateStore.OpenAsync(Path.Combine(_root, "riposte", "state.db"), TimeProvider.System, Ct));

        ex.Message.ShouldContain("symbolic link");
        Directory.EnumerateFileSystemEntries(real).ShouldBeEmpty();
    }

    [Fact]
    public void Missing_parent_directories_are_created_with_exact_modes()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix modes");
        var leaf = Path.Combine(_root, "a", "b");

        SecureDirectory.Ensure(leaf, SecureDirectory.OwnerOnly, SecureDirectory.GroupReadable);

        File.GetUnixFileMode(Path.Combine(_root, "a")).ShouldBe(SecureDirectory.GroupReadable);
        File.GetUnixFileMode(leaf).ShouldBe(SecureDirectory.OwnerOnly);
    }
}
