// Before/after timing of RerankModel reranks in one JVM per side, as used for bench/results/rerank.md:
//   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "PLUGINS_JAR:$(cat plugins/target/launcher.classpath)" \
//     bench/results/RerankAB.java NeuMF,DeepFM onednn 1500
// (args: models, backend, calls warmed up and then timed per row); prints min, p10 and p50 of single reranks.
import io.panrec.backend.Backends;
import io.panrec.cli.bench.RerankFixture;
import io.panrec.models.spi.ModelRegistry;
import org.apache.lucene.search.TopDocs;
import java.util.Arrays;

public class RerankAB {
    public static void main(String[] a) throws Exception {
        String[] models = a[0].split(",");
        String backend = a[1];
        int calls = Integer.parseInt(a[2]);
        for (String m : models) {
            try (RerankFixture f = RerankFixture.create(ModelRegistry.discover().find(m).orElseThrow(), 943, 5000, 7);
                 var _ = Backends.use(backend)) {
                for (int hits : new int[] {100, 1000}) {
                    TopDocs[] p = new TopDocs[16];
                    for (int i = 0; i < 16; i++) p[i] = f.firstPass(hits);
                    for (int i = 0; i < calls; i++) f.rerank(f.randomUser(), p[i & 15], 10);
                    double[] s = new double[calls];
                    for (int i = 0; i < calls; i++) {
                        var u = f.randomUser();
                        long t = System.nanoTime();
                        f.rerank(u, p[i & 15], 10);
                        s[i] = (System.nanoTime() - t) / 1e3;
                    }
                    Arrays.sort(s);
                    System.out.printf("%-7s %-7s %5d  min %8.1f  p10 %8.1f  p50 %8.1f  us (%d calls)%n", m, backend, hits, s[0], s[calls / 10], s[calls / 2], calls);
                }
            }
        }
    }
}
