using Riposte.Sdk;

namespace Riposte;

public sealed class ControlMessageTests
{
    [Fact]
    public void Check_keys_is_byte_exact_with_the_fixture() =>
        ControlMessage.CheckKeys("firewall-drop", ["203.0.113.45"]).ShouldBe(Fixtures.Wire("A5"));

    [Fact]
    public void Several_keys_and_no_keys()
    {
        ControlMessage.CheckKeys("restart-wazuh", ["10.0.0.1", "root"])
            .ShouldBe("""{"version":1,"origin":{"name":"restart-wazuh","module":"active-response"},"command":"check_keys","parameters":{"keys":["10.0.0.1","root"]}}""");
        ControlMessage.CheckKeys("x", []).ShouldEndWith("""{"keys":[]}}""");
    }

    [Fact]
    public void Strings_use_cJSON_escapes_and_keep_slashes_and_UTF8()
    {
        ControlMessage.CheckKeys("a\"b", ["c\\d/e\n\t\u0001é"])
            .ShouldBe("""{"version":1,"origin":{"name":"a\"b","module":"active-response"},"command":"check_keys","parameters":{"keys":["c\\d/e\n\t\u0001é"]}}""");
    }
}
