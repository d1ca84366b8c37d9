using Riposte.Config;

namespace Riposte.Protocol;

public sealed class ArConfWriterTests
{
    [Fact]
    public void Matches_the_fixture_ar_conf()
    {
        var config = OssecConfigReader.ReadFiles([Fixtures.ManagerConfig]).Config!;

        ArConfWriter.Write(config).ShouldBe(File.ReadAllText(Fixtures.Path("sample-ar.conf")));
    }
}
