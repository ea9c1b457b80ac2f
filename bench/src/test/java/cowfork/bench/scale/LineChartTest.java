// The hand-written SVG line chart: well-formed XML, points where the axes' scale puts them, round axis ends.
package cowfork.bench.scale;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class LineChartTest {
    private static final List<LineChart.Series> SERIES = List.of(
            new LineChart.Series("cowfork-inline", List.of(new double[] {0, 1500}, new double[] {30, 2300}, new double[] {60, 2460})),
            new LineChart.Series("gunicorn-py3.11 <preload> & \"sync\"", List.of(new double[] {0, 900}, new double[] {45, 1700})));

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theSvgIsWellFormedWithTitleLegendAxesAndTheCommand() throws Exception {
        String svg = LineChart.svg("PSS over time", "seconds of load", "PSS (MiB)", SERIES, "regenerate: ./cowfork scale");
        Document d = parse(svg); // throws on malformed XML (the legend's < & " must be escaped)
        assertThat(d.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(d.getElementsByTagName("desc").item(0).getTextContent()).isEqualTo("regenerate: ./cowfork scale");
        NodeList texts = d.getElementsByTagName("text");
        List<String> all = new java.util.ArrayList<>();
        for (int i = 0; i < texts.getLength(); i++) {
            all.add(texts.item(i).getTextContent());
        }
        assertThat(all).contains("PSS over time", "seconds of load", "PSS (MiB)", "cowfork-inline",
                "gunicorn-py3.11 <preload> & \"sync\"", "regenerate: ./cowfork scale", "0", "2500", "60");
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    }

    @Test
    void aPointLandsWhereTheScaleSaysAndTheAxesEndAtRoundNumbers() throws Exception {
        LineChart scale = LineChart.scaledFor(SERIES);
        Element line = (Element) parse(LineChart.svg("t", "x", "y", SERIES, "c")).getElementsByTagName("polyline").item(0);
        String[] points = line.getAttribute("points").split(" ");
        String[] second = points[1].split(",");
        assertThat(Double.parseDouble(second[0])).isCloseTo(scale.x(30), org.assertj.core.data.Offset.offset(0.05));
        assertThat(Double.parseDouble(second[1])).isCloseTo(scale.y(2300), org.assertj.core.data.Offset.offset(0.05));
        // the axes: 0 at the plot's corner, the round maximum (x 60, y 2500) at its far edges
        assertThat(scale.x(0)).isEqualTo(LineChart.LEFT);
        assertThat(scale.y(0)).isEqualTo(LineChart.HEIGHT - LineChart.BOTTOM);
        assertThat(scale.x(60)).isEqualTo(LineChart.WIDTH - LineChart.RIGHT);
        assertThat(scale.y(2500)).isEqualTo(LineChart.TOP);
        // and a later x is further right, a larger y higher up
        assertThat(scale.x(45)).isGreaterThan(scale.x(30));
        assertThat(scale.y(2460)).isLessThan(scale.y(1500));
    }

    @Property
    void theAxisEndsAtTheFirstRoundNumberNotBelowTheLargestValue(@ForAll @DoubleRange(min = 0.01, max = 1e9) double v) {
        double c = LineChart.niceCeiling(v);
        assertThat(c).isGreaterThanOrEqualTo(v * (1 - 1e-9)).isLessThanOrEqualTo(2 * v);
        double tick = c / LineChart.ticks(c);
        double power = Math.pow(10, Math.floor(Math.log10(tick)));
        assertThat(Math.round(tick / power * 1000) / 1000.0).as("a tick of %s", tick).isIn(1.0, 2.0, 5.0); // 0.5, 2, 1000: labels a reader can add
    }

    @Test
    void aDashedCompanionTakesItsServersColourAndOneLegendEntry() throws Exception {
        List<LineChart.Series> series = List.of(SERIES.get(0),
                new LineChart.Series("dashed: the master's RSS", List.of(new double[] {0, 1400}, new double[] {60, 1400}), true),
                SERIES.get(1),
                new LineChart.Series("dashed: the master's RSS", List.of(new double[] {0, 950}, new double[] {45, 950}), true));
        Document d = parse(LineChart.svg("t", "x", "y", series, "c"));
        NodeList lines = d.getElementsByTagName("polyline");
        assertThat(((Element) lines.item(1)).getAttribute("stroke")).isEqualTo(((Element) lines.item(0)).getAttribute("stroke"));
        assertThat(((Element) lines.item(3)).getAttribute("stroke")).isEqualTo(((Element) lines.item(2)).getAttribute("stroke"))
                .isNotEqualTo(((Element) lines.item(0)).getAttribute("stroke"));
        assertThat(((Element) lines.item(1)).getAttribute("stroke-dasharray")).isNotEmpty();
        assertThat(d.getDocumentElement().getTextContent().split("the master's RSS", -1)).as("one legend entry").hasSize(2);
        // few points: each gets a dot, so a series of one point is visible
        assertThat(d.getElementsByTagName("circle").getLength()).as("solid lines only").isEqualTo(3 + 2);
    }

    @Test
    void aLongCaptionIsWrappedAtSpacesAndTheFigureGrowsToHoldIt() throws Exception {
        String command = "regenerate: ./cowfork scale --data-size 1g --workers 1,2,4,8 --servers inline,dense,sidetable,immortal,gunicorn"
                + " --window 10 --cap 30 --cap-largest 60 --huge-pages inline,immortal";
        List<String> lines = LineChart.wrap(command, LineChart.CAPTION_CHARS);
        assertThat(lines).hasSizeGreaterThan(1).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(LineChart.CAPTION_CHARS));
        assertThat(String.join(" ", lines)).isEqualTo(command);
        Document d = parse(LineChart.svg("t", "x", "y", SERIES, command));
        assertThat(Integer.parseInt(d.getDocumentElement().getAttribute("height"))).isGreaterThan(LineChart.HEIGHT);
        assertThat(d.getElementsByTagName("desc").item(0).getTextContent()).isEqualTo(command);
    }

    @Test
    void anEmptySeriesStillDrawsAxesAndItsLegend() throws Exception {
        Document d = parse(LineChart.svg("t", "x", "y", List.of(new LineChart.Series("failed", List.of())), "c"));
        assertThat(d.getElementsByTagName("polyline").getLength()).isZero();
        assertThat(d.getDocumentElement().getTextContent()).contains("failed");
    }

    @Test
    void wholeNumbersOnTheXAxisGetNoFractionalTicks() throws Exception {
        Document d = parse(LineChart.svg("t", "workers", "y", List.of(new LineChart.Series("a",
                List.of(new double[] {1, 5}, new double[] {2, 7}))), "c"));
        String text = d.getDocumentElement().getTextContent();
        assertThat(text).doesNotContain("0.5").doesNotContain("1.5");
    }
}
