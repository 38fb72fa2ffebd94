package io.warren.it;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives test classes one broker for the whole suite (started on first use,
 * stopped when the suite ends), injected as a {@link BrokerUnderTest} constructor or method parameter.
 * Tests that restart or kill the broker must start their own with {@link BrokerUnderTest#startWarren}.
 */
public final class SharedBroker implements BeforeAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedBroker.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        broker(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == BrokerUnderTest.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return broker(context);
    }

    private static BrokerUnderTest broker(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("broker", key -> new Resource(BrokerUnderTest.start("shared")), Resource.class)
                .broker();
    }

    /** Closed by JUnit when the root context (the whole run) ends. */
    private record Resource(BrokerUnderTest broker) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            broker.close();
        }
    }
}
