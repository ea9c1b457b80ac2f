// The SVG writer: a well-formed document, text escaped once, coordinates as the document says, figures stacked.
package cowfork.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SvgTest {
    private static Document parse(String svg) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void textThatLooksLikeMarkupIsEscapedAndReadsBackAsWritten() throws Exception {
        String label = "a < b && \"c\" > d";
        Svg svg = new Svg(Svg.Numbers.WHOLE).title(label).background("#ffffff");
        svg.text(16, 22, "font-weight=\"bold\"", label);
        Document d = parse(svg.document(200, 40));
        assertThat(d.getElementsByTagName("text").item(0).getTextContent()).isEqualTo(label);
        assertThat(d.getElementsByTagName("title").item(0).getTextContent()).isEqualTo(label);
        assertThat(((Element) d.getElementsByTagName("text").item(0)).getAttribute("font-weight")).isEqualTo("bold");
    }

    @Test
    void coordinatesAreWholePixelsOrOneDecimalAsTheDocumentSays() {
        assertThat(new Svg(Svg.Numbers.WHOLE).rect(16, 30.4, 120, 8, "#e03c31").document(200, 40))
                .contains("<rect x=\"16\" y=\"30\" width=\"120\" height=\"8\" fill=\"#e03c31\"/>")
                .contains("viewBox=\"0 0 200 40\"");
        assertThat(new Svg(Svg.Numbers.ONE_DECIMAL).withoutViewBox().line(80, 360, 540, 308.333, "#555555", "")
                .polyline(List.of(new double[] {1, 2}, new double[] {3.25, 4}), "#000000", " stroke-width=\"2\"")
                .document(760, 440))
                .contains("<line x1=\"80.0\" y1=\"360.0\" x2=\"540.0\" y2=\"308.3\" stroke=\"#555555\"/>")
                .contains("points=\"1.0,2.0 3.3,4.0\"")
                .doesNotContain("viewBox");
    }

    @Test
    void stackedFiguresSitOneBelowTheOtherInOneDocument() throws Exception {
        String a = new Svg(Svg.Numbers.WHOLE).document(100, 40);
        String b = new Svg(Svg.Numbers.WHOLE).document(300, 60);
        Document d = parse(Svg.stack(List.of(a, b)));
        Element root = d.getDocumentElement();
        assertThat(root.getAttribute("width")).isEqualTo("300");
        assertThat(root.getAttribute("height")).isEqualTo("100");
        Element second = (Element) root.getElementsByTagName("svg").item(1);
        assertThat(second.getAttribute("y")).isEqualTo("40");
        assertThatThrownBy(() -> Svg.stack(List.of("<g/>"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an svg");
    }
}
