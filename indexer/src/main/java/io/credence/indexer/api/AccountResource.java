package io.credence.indexer.api;

import io.credence.indexer.store.AccountStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** What an account earned, by role, what it claimed, and what it can claim now. */
@Path("/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {
  @Inject AccountStore store;

  @GET
  @Path("/{address}")
  @Operation(
      summary =
          "An account's earnings by role (gas paid back included), deposits, signed requests' escrow, claims, and claimable balance")
  public AccountStore.AccountView get(@PathParam("address") String address) {
    return store.account(ApiErrors.address(address));
  }
}
