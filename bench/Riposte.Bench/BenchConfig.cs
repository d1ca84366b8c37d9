using System.Text;

namespace Riposte.Bench;

/// <summary>A manager ossec.conf with 60 active-response blocks mixing rules_id, groups, levels, level AND group, locations and white lists.</summary>
internal static class BenchConfig
{
    public static string Write(string directory)
    {
        var xml = new StringBuilder("<ossec_config>\n<global>\n");
        foreach (var entry in new[] { "127.0.0.1", "10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/255.240.0.0", "^localhost.localdomain$", "2001:db8:1::", "203.0.113.7" })
        {
            xml.Append("  <white_list>").Append(entry).Append("</white_list>\n");
        }

        xml.Append("</global>\n<cluster><node_name>node01</node_name></cluster>\n");
        foreach (var name in new[] { "firewall-drop", "host-deny", "route-null", "disable-account", "netsh", "webhook" })
        {
            xml.Append($"<command><name>{name}</name><executable>{name}</executable><timeout_allowed>yes</timeout_allowed></command>\n");
        }

        string[] groups = ["sshd,|pci_dss_11.4,", "authentication_failed|authentication_failures", "web_scan|recon", "sql_injection", "syscheck_entry_modified",
            "windows_security", "^syslog,", "invalid_login", "attack,$", "critical"];
        string[] locations = ["local", "server", "all", "defined-agent"];
        for (var i = 0; i < 60; i++)
        {
            var command = new[] { "firewall-drop", "host-deny", "route-null", "disable-account", "netsh", "webhook" }[i % 6];
            xml.Append("<active-response>");
            xml.Append($"<command>{command}</command><location>{locations[i % 4]}</location>");
            if (i % 4 == 3)
            {
                xml.Append($"<agent_id>{(i % 30) + 1:D3}</agent_id>");
            }

            switch (i % 5)
            {
                case 0:
                    xml.Append($"<rules_id>{5700 + i},{5712 + (i % 3)},{31100 + i}, {60000 + i}</rules_id>");
                    break;
                case 1:
                    xml.Append($"<rules_group>{groups[i % groups.Length]}</rules_group>");
                    break;
                case 2:
                    xml.Append($"<level>{12 + (i % 6)}</level>");
                    break;
                case 3:
                    xml.Append($"<level>{8 + (i % 4)}</level><rules_group>{groups[(i + 3) % groups.Length]}</rules_group>");
                    break;
                default:
                    xml.Append($"<rules_id>{100000 + i}</rules_id><rules_group>{groups[(i + 5) % groups.Length]}</rules_group>");
                    break;
            }

            xml.Append($"<timeout>{60 * ((i % 10) + 1)}</timeout></active-response>\n");
        }

        xml.Append("</ossec_config>\n");
        var path = Path.Combine(directory, "bench-ossec.conf");
        File.WriteAllText(path, xml.ToString());
        return path;
    }
}
