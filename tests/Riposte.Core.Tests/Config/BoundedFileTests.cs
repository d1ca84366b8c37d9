using Riposte.Config.Settings;

namespace Riposte.Config;

/// <summary>Configuration files are read only when they are regular files under the size limit, without blocking.</summary>
public sealed class BoundedFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("riposte-bounded-");

    public void Dispose() => _dir.Delete(true);

    private static ConfigDiagnostic SingleError(IReadOnlyList<ConfigDiagnostic> diagnostics) =>
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldHaveSingleItem();

    [Fact]
    public void Dev_zero_is_refused_as_a_character_device()
    {
        var error = SingleError(OssecConfigReader.ReadFiles(["/dev/zero"]).Diagnostics);

        error.Code.ShouldBe(1226);
        error.ToString().ShouldBe("/dev/zero:0:0: error (1226): Error reading XML file '/dev/zero': not a regular file (a character device).");
    }

    [Fact]
    public void Dev_zero_as_settings_is_refused_as_a_character_device()
    {
        var error = SingleError(RiposteSettingsReader.ReadFile("/dev/zero").Diagnostics);

        error.ToString().ShouldBe("/dev/zero:0:0: error: cannot read the settings file: not a regular file (a character device)");
    }

    [Fact]
    public async Task A_fifo_is_refused_without_waiting_for_a_writer()
    {
        var fifo = Path.Combine(_dir.FullName, "ossec.conf");
        SpecialFiles.MakeFifo(fifo);

        var result = await SpecialFiles.ReadWithHangGuardAsync(fifo, () => OssecConfigReader.ReadFiles([fifo]));

        SingleError(result.Diagnostics).Message.ShouldBe($"Error reading XML file '{fifo}': not a regular file (a FIFO).");
    }

    [Fact]
    public async Task A_fifo_as_settings_is_refused_without_waiting_for_a_writer()
    {
        var fifo = Path.Combine(_dir.FullName, "riposte.json");
        SpecialFiles.MakeFifo(fifo);

        var result = await SpecialFiles.ReadWithHangGuardAsync(fifo, () => RiposteSettingsReader.ReadFile(fifo));

        SingleError(result.Diagnostics).Message.ShouldBe("cannot read the settings file: not a regular file (a FIFO)");
    }

    [Fact]
    public void A_directory_is_refused()
    {
        var error = SingleError(OssecConfigReader.ReadFiles([_dir.FullName]).Diagnostics);

        error.Message.ShouldBe($"Error reading XML file '{_dir.FullName}': not a regular file (a directory).");
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_without_parsing()
    {
        var big = Path.Combine(_dir.FullName, "big.conf");
        using (var stream = File.Create(big))
        {
            stream.SetLength(ConfigLimits.MaxFileBytes + 1);
        }

        var xml = SingleError(OssecConfigReader.ReadFiles([big]).Diagnostics);
        var json = SingleError(RiposteSettingsReader.ReadFile(big).Diagnostics);

        xml.Message.ShouldBe($"Error reading XML file '{big}': larger than {ConfigLimits.MaxFileBytes} bytes.");
        json.Message.ShouldBe($"cannot read the settings file: larger than {ConfigLimits.MaxFileBytes} bytes");
    }

    [Fact]
    public void A_file_at_the_size_limit_is_read()
    {
        var path = Path.Combine(_dir.FullName, "padded.conf");
        var content = Fixtures.Conf("<global><white_list>10.0.0.1</white_list></global>");
        File.WriteAllText(path, content + new string(' ', ConfigLimits.MaxFileBytes - content.Length));

        var result = OssecConfigReader.ReadFiles([path]);

        result.HasErrors.ShouldBeFalse(string.Join("\n", result.Diagnostics));
        result.Config!.WhiteList.Entries.ShouldBe(["10.0.0.1"]);
    }

    [Fact]
    public void A_missing_file_is_still_1239()
    {
        var missing = Path.Combine(_dir.FullName, "missing.conf");

        var error = SingleError(OssecConfigReader.ReadFiles([missing]).Diagnostics);

        error.Code.ShouldBe(1239);
        error.Message.ShouldStartWith($"Configuration file not found: '{missing}'.");
    }
}
