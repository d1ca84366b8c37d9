using System.Text;

namespace Riposte.Protocol.Execd;

public sealed class ArCommandTableArConfFileTests : IDisposable
{
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("riposte-arconf-");

    public ArCommandTableArConfFileTests()
    {
        Directory.CreateDirectory(Path.Combine(_home.FullName, "active-response", "bin"));
        File.WriteAllText(Path.Combine(_home.FullName, "active-response", "bin", "firewall-drop"), "");
    }

    public void Dispose() => _home.Delete(recursive: true);

    private string ArConf => Path.Combine(_home.FullName, "ar.conf");

    private (ArCommandTable Table, List<string> Errors) Read()
    {
        var errors = new List<string>();
        return (ArCommandTable.FromArConfFile(_home.FullName, ArConf, errors.Add), errors);
    }

    [Fact]
    public void A_regular_file_is_read_with_its_byte_order_mark_dropped()
    {
        File.WriteAllBytes(ArConf, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("firewall-drop600 - firewall-drop - 600\n")]);

        var (table, errors) = Read();

        errors.ShouldBeEmpty();
        table.Resolve("firewall-drop600").ShouldBe(new ArCommand("firewall-drop600", "active-response/bin/firewall-drop", 600));
    }

    [Fact]
    public async Task A_fifo_is_refused_without_blocking()
    {
        SpecialFiles.MakeFifo(ArConf);

        var (table, errors) = await SpecialFiles.ReadWithHangGuardAsync(ArConf, Read);

        table.Commands.ShouldBeEmpty();
        errors.ShouldBe([$"{ArConf}: not a regular file (a FIFO); no AR command is known"]);
    }

    [Fact]
    public void A_missing_or_unreadable_file_gives_an_empty_table_and_an_error()
    {
        var (table, errors) = Read();

        table.Commands.ShouldBeEmpty();
        errors.ShouldHaveSingleItem().ShouldStartWith($"{ArConf}: Could not find file");
    }
}
