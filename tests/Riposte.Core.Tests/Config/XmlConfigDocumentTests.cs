using System.Text;

namespace Riposte.Config;

/// <summary>The structural bounds of the XML reader: depth, attributes per element, element count, DTDs.</summary>
public sealed class XmlConfigDocumentTests
{
    private static ConfigDiagnostic SingleError(ConfigLoadResult result) =>
        result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldHaveSingleItem();

    private static string Nested(int depth) =>
        new StringBuilder("<ossec_config>\n<x>").Append(string.Concat(Enumerable.Repeat("<a>", depth - 2)))
            .Append(string.Concat(Enumerable.Repeat("</a>", depth - 2))).Append("</x>\n</ossec_config>\n").ToString();

    [Fact]
    public void Nesting_at_the_limit_is_read()
    {
        var result = OssecConfigReader.ReadText(Nested(ConfigLimits.MaxDepth), "deep.conf");

        result.HasErrors.ShouldBeFalse(string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [InlineData(ConfigLimits.MaxDepth + 1)]
    [InlineData(80_000)]
    public void Nesting_beyond_the_limit_is_error_1226_at_the_first_element_too_deep(int depth)
    {
        var result = OssecConfigReader.ReadText(Nested(depth), "deep.conf");

        var error = SingleError(result);
        error.Code.ShouldBe(1226);
        error.Message.ShouldBe($"Error reading XML file 'deep.conf': elements are nested more than {ConfigLimits.MaxDepth} deep.");

        // <ossec_config> is depth 1 on line 1, <x> depth 2 at column 1 of line 2, then each <a> is 3 characters.
        error.Position.ShouldBe(new SourcePosition("deep.conf", 2, 4 + ((ConfigLimits.MaxDepth - 2) * 3)));
        result.Config.ShouldBeNull();
    }

    [Fact]
    public void Attributes_at_the_limit_are_read()
    {
        var attributes = string.Join(' ', Enumerable.Range(0, ConfigLimits.MaxAttributesPerElement).Select(i => $"a{i}=\"x\""));
        var result = OssecConfigReader.ReadText($"<ossec_config>\n<global {attributes}/>\n</ossec_config>\n", "attr.conf");

        result.HasErrors.ShouldBeFalse(string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [InlineData(ConfigLimits.MaxAttributesPerElement + 1)]
    [InlineData(200_000)]
    public void An_attribute_flood_is_error_1226_at_the_element(int count)
    {
        var attributes = string.Join(' ', Enumerable.Range(0, count).Select(i => $"a{i}=\"x\""));
        var result = OssecConfigReader.ReadText($"<ossec_config>\n  <global {attributes}/>\n</ossec_config>\n", "attr.conf");

        var error = SingleError(result);
        error.Code.ShouldBe(1226);
        error.Message.ShouldBe($"Error reading XML file 'attr.conf': element 'global' has more than {ConfigLimits.MaxAttributesPerElement} attributes.");
        error.Position.ShouldBe(new SourcePosition("attr.conf", 2, 3));
    }

    [Fact]
    public void Equals_signs_inside_attribute_values_are_not_counted_as_attributes()
    {
        var value = new string('=', ConfigLimits.MaxAttributesPerElement * 2);
        var result = OssecConfigReader.ReadText($"<ossec_config><global a=\"{value}\" b='{value}'/><!-- {value} --></ossec_config>", "eq.conf");

        result.HasErrors.ShouldBeFalse(string.Join("\n", result.Diagnostics));
    }

    [Fact]
    public void Too_many_elements_is_error_1226_at_the_first_element_over_the_limit()
    {
        var text = "<ossec_config>\n" + string.Concat(Enumerable.Repeat("<a/>", ConfigLimits.MaxElements)) + "\n</ossec_config>\n";

        var error = SingleError(OssecConfigReader.ReadText(text, "many.conf"));

        error.Code.ShouldBe(1226);
        error.Message.ShouldBe($"Error reading XML file 'many.conf': more than {ConfigLimits.MaxElements} elements.");
        error.Position.ShouldBe(new SourcePosition("many.conf", 2, 1 + ((ConfigLimits.MaxElements - 1) * 4)));
    }

    [Fact]
    public void A_document_type_definition_is_refused_so_entities_cannot_expand()
    {
        var text = """
            <!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
            <ossec_config><global><white_list>&b;</white_list></global></ossec_config>
            """;

        var error = SingleError(OssecConfigReader.ReadText(text, "dtd.conf"));

        error.Code.ShouldBe(1226);
        error.Position.Line.ShouldBe(1);
    }
}
