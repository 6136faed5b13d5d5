package io.panrec.cli.models;

import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code panrec models}: the models the registry finds, by family, with what each predicts, its
 * description (and paper), and every setting with its default and explanation. Providers that failed
 * to load are listed after them; the exit code is then 1.
 */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the registered models with their family, task, description and every default setting.",
                "Override a setting in train/evaluate with --set key=value."})
public final class ModelsCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "NAME", description = "Only these models (any case).")
    List<String> names;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the list as JSON to FILE ('-' for standard output, instead of the table).")
    String json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ModelRegistry registry = ModelRegistry.discover();
        List<ModelProvider> providers = new ArrayList<>();
        if (names == null || names.isEmpty()) {
            providers.addAll(registry.providers());
        } else {
            for (String n : names) {
                providers.add(Cli.provider(registry, n));
            }
        }
        List<Object> list = new ArrayList<>();
        boolean table = !"-".equals(json);
        for (ModelProvider p : providers) {
            Task task = Task.of(p);
            if (table) {
                out.printf(Locale.ROOT, "%s  (%s, %s model; default protocol %s)%n", p.name(), p.family().name().toLowerCase(Locale.ROOT),
                        task.label(), task.defaultProtocol);
                out.println("  " + p.description());
                Table t = new Table("setting", "default", "explanation");
                for (Setting s : p.defaults()) {
                    t.row(s.key(), Setting.format(s.defaultValue()), s.explanation());
                }
                t.print(out, "  ");
                out.println();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", p.name());
            m.put("family", p.family().name());
            m.put("task", task.label());
            m.put("description", p.description());
            List<Object> settings = new ArrayList<>();
            for (Setting s : p.defaults()) {
                Map<String, Object> sm = new LinkedHashMap<>();
                sm.put("key", s.key());
                sm.put("default", s.defaultValue());
                sm.put("type", s.type().name().toLowerCase(Locale.ROOT));
                sm.put("explanation", s.explanation());
                settings.add(sm);
            }
            m.put("settings", settings);
            list.add(m);
        }
        List<String> problems = registry.problems();
        if (table) {
            out.println(providers.size() + " model" + (providers.size() == 1 ? "" : "s")
                    + ". Train one: panrec train --model NAME --data ml-100k:DIR --out DIR [--set key=value ...]");
            for (String problem : problems) {
                out.println("failed to load: " + problem);
            }
        }
        if (json != null) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("models", list);
            root.put("problems", new ArrayList<Object>(problems));
            Cli.writeJson(json, root, out);
        }
        out.flush();
        return problems.isEmpty() ? 0 : 1;
    }
}
