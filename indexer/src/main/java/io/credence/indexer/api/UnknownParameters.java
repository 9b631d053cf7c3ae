package io.credence.indexer.api;

import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Refuses a query parameter the endpoint does not take, with a 400 naming the ones it does. JAX-RS
 * ignores unknown parameters, so a misspelt filter or cursor ({@code ?cursor=…} for {@code
 * ?after=…}) would silently return the first page, unfiltered.
 */
@Provider
public class UnknownParameters implements ContainerRequestFilter {
  @Context ResourceInfo resource;

  @Override
  public void filter(ContainerRequestContext request) {
    Method method = resource.getResourceMethod();
    if (method == null
        || !method
            .getDeclaringClass()
            .getPackageName()
            .equals(UnknownParameters.class.getPackageName())) {
      return;
    }
    List<String> known = new ArrayList<>();
    for (Parameter p : method.getParameters()) {
      QueryParam q = p.getAnnotation(QueryParam.class);
      if (q != null) {
        known.add(q.value());
      }
    }
    for (String name : request.getUriInfo().getQueryParameters().keySet()) {
      if (!known.contains(name)) {
        String takes =
            known.isEmpty() ? "takes no query parameters" : "takes " + String.join(", ", known);
        String cursor =
            known.contains("after")
                ? " (the page cursor is after: pass the next of the previous page)"
                : "";
        request.abortWith(
            ApiErrors.badRequest(
                    "unknown query parameter '"
                        + name
                        + "': "
                        + request.getUriInfo().getPath()
                        + " "
                        + takes
                        + cursor)
                .getResponse());
        return;
      }
    }
  }
}
