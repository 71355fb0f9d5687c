package org.sesemi.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.sesemi.attestation.tee.SimulatedTee;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code sesemi measure}: the simulated-TEE measurements of this build's runtime and KeyService, so owners can grant
 * them. Measured over the code this command runs (sesemi.jar and the jars its manifest names), role and enclave
 * configuration; a component started from the same build with the same configuration gets the same value.
 */
@Command(name = "measure", mixinStandardHelpOptions = true,
        description = {"Print the SIMULATED TEE measurements (sgx:<hex>) of this build's runtime and KeyService.",
            "Simulated measurements offer no hardware protection; on SGX/TDX use the measurement from real quotes."})
final class MeasureCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--role", split = ",", description = "Roles to measure (default runtime,keyservice).")
    List<String> roles = List.of("runtime", "keyservice");

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Enclave configuration entry that is part of the measurement.")
    Map<String, String> config = new TreeMap<>();

    @Override
    public Integer call() {
        ObjectNode o = AttestationCliSupport.JSON.createObjectNode();
        o.put("simulated", true);
        o.put("warning", "SIMULATED TEE measurements: no hardware protection");
        o.put("codeDigest", HexFormat.of().formatHex(SimulatedTee.codeDigest()));
        ObjectNode m = o.putObject("measurements");
        for (String role : roles) {
            m.put(role, SimulatedTee.measurementFor(role, config).value());
        }
        // What a signer-rule grant names ('sesemi grant add --signer … --prod-id … --min-svn …'): the same for every role.
        SimulatedTee.Signer signer;
        try {
            signer = SimulatedTee.signer(config);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException("--config: " + e.getMessage());
        }
        ObjectNode sg = o.putObject("signer");
        sg.put("mrSigner", signer.mrSigner());
        sg.put("isvProdId", signer.isvProdId());
        sg.put("isvSvn", signer.isvSvn());
        sg.put("rule", signer.rule().value());
        spec.commandLine().getOut().println(AttestationCliSupport.json(o));
        return 0;
    }
}
