// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title GasCharges
/// @notice What a request's gas allowance pays back to whoever submits the transactions that
///         serve it: the gas those transactions use for it, priced at
///         `min(tx.gasprice, maxFeePerGas)` and never more than the allowance.
/// @dev    A callback's gas is measured (`gasleft()` around the call); everything else is a fixed
///         figure fitted from the gas of real transactions (docs/protocol.md, "Paying for gas",
///         has the fit and how to redo it). The submitter controls neither: padding calldata,
///         adding receipts the hub skips, or sending too little gas for a callback (the batch
///         reverts) earns it nothing. Constants, not settings: a hardfork that reprices gas is a
///         new hub version. Fitted to the measured gas, then raised about 1 % so that the fit's
///         error leaves a relayer paid back at least what it spent.
///
///         A receipt settled in a transaction of `n` items (receipts or failures, as sent) costs
///             BATCH / n + RECEIPT + PROOF * quorum + OUTPUT_WORD * ceil(output.length / 32)
///         a failure
///             FAILURE_BATCH / n + FAILURE + SIGNATURE * quorum
///         plus, for the first item of each requester in the transaction, REQUESTER_CREDIT (the
///         write that returns what is left of its allowance), and for an item with a callback,
///         the callback's measured gas plus CALLBACK. `expire` costs EXPIRY (+ the callback). A
///         signed request's submission costs its measured execution plus SIGNED_REQUEST and
///         CALLDATA_BYTE per byte of input.
library GasCharges {
    /// @notice Per transaction, shared by its items: the 21 000 base, the calldata and code every
    ///         batch runs once (the worker check, the record, the credits).
    uint256 internal constant BATCH = 66_000;
    /// @notice Per settled receipt, quorum and output aside.
    uint256 internal constant RECEIPT = 13_900;
    /// @notice Per signer of a receipt: its 73 calldata bytes and the recovery.
    uint256 internal constant PROOF = 5_200;
    /// @notice Per 32 bytes of output: calldata, hashing and the event.
    uint256 internal constant OUTPUT_WORD = 400;
    /// @notice Per transaction of failures, shared by its items (no batch record, no split).
    uint256 internal constant FAILURE_BATCH = 53_500;
    /// @notice Per refunded failure, signatures aside.
    uint256 internal constant FAILURE = 6_000;
    /// @notice Per signer of a failure.
    uint256 internal constant SIGNATURE = 5_000;
    /// @notice The first item of each requester in a transaction: crediting what is left (a cold
    ///         slot rewritten, and the requester's entry in the transaction's list).
    uint256 internal constant REQUESTER_CREDIT = 8_400;
    /// @notice Around a callback, beyond what the callback itself used.
    uint256 internal constant CALLBACK = 4_000;
    /// @notice An `expire` transaction, its callback aside.
    uint256 internal constant EXPIRY = 41_300;
    /// @notice A signed request's submission beyond its measured execution: the 21 000 base,
    ///         the fixed calldata, the commitment, the event and the submitter's credit.
    uint256 internal constant SIGNED_REQUEST = 64_000;
    /// @notice Per byte of a signed request's input (calldata and the event's copy).
    uint256 internal constant INPUT_BYTE = 24;
    /// @notice The output a quote assumes: 16 words (512 bytes).
    uint256 internal constant QUOTE_OUTPUT_WORDS = 16;

    /// @notice The price a request pays back gas at: the transaction's, capped by the request's.
    function price(uint256 maxFeePerGas) internal view returns (uint256) {
        return tx.gasprice < maxFeePerGas ? tx.gasprice : maxFeePerGas;
    }

    /// @notice The fixed gas of one receipt in a transaction of `n` items.
    function receipt(uint256 n, uint256 quorum, uint256 outputLength) internal pure returns (uint256) {
        return BATCH / n + RECEIPT + PROOF * quorum + OUTPUT_WORD * ((outputLength + 31) / 32);
    }

    /// @notice The fixed gas of one failure in a transaction of `n` items.
    function failure(uint256 n, uint256 quorum) internal pure returns (uint256) {
        return FAILURE_BATCH / n + FAILURE + SIGNATURE * quorum;
    }

    /// @notice The allowance that covers a request served alone, at `maxFeePerGas`: a receipt
    ///         of QUOTE_OUTPUT_WORDS (or a failure, which costs less), its callback, and the
    ///         credit of what is left; plus, for a signed request of `signedInputBytes`, its
    ///         submission by an EOA's signature.
    function allowance(uint256 quorum, uint256 callbackGas, uint256 maxFeePerGas, uint256 signedInputBytes)
        internal
        pure
        returns (uint256)
    {
        uint256 gas = BATCH + RECEIPT + PROOF * quorum + OUTPUT_WORD * QUOTE_OUTPUT_WORDS + REQUESTER_CREDIT;
        if (callbackGas != 0) gas += callbackGas + CALLBACK;
        if (signedInputBytes != 0) gas += SIGNED_REQUEST + SIGNED_EXECUTION + INPUT_BYTE * signedInputBytes;
        return gas * maxFeePerGas;
    }

    /// @notice What a quote assumes a signed request's checks use (an EOA's signature).
    uint256 internal constant SIGNED_EXECUTION = 40_000;

    // ------------------------------------------------------------------ the court
    // The court's transactions (drawing audits and juries, verdicts, resolutions) are paid back
    // from the protocol's share of fees: their execution is measured (`gasleft()`), everything
    // around it is one of these fitted figures, and the price is the transaction's, capped at the
    // block's base fee plus COURT_MAX_TIP. What a caller cannot steer earns nothing: a draw that
    // opens no audit, a verdict already recorded, padded calldata.

    /// @notice Per `drawAudits` that opens an audit, beyond its measured execution: the 21 000
    ///         base, fixed calldata, the payment itself.
    uint256 internal constant COURT_DRAW_TX = 44_400;
    /// @notice Per `resolve` likewise.
    uint256 internal constant COURT_RESOLVE_TX = 40_900;
    /// @notice Per `drawJury` likewise (its first call to the hub is the payment, cold).
    uint256 internal constant COURT_JURY_TX = 45_900;
    /// @notice Per `submitVerdicts` likewise (the refunds of a resolution's cleared slots taken off).
    uint256 internal constant COURT_VERDICTS_TX = 30_900;
    /// @notice Per leaf of `drawAudits` (its calldata), signers aside.
    uint256 internal constant COURT_LEAF = 3_400;
    /// @notice Per signer of a leaf of `drawAudits`.
    uint256 internal constant COURT_SIGNER = 400;
    /// @notice Per verdict recorded by `submitVerdicts` (its calldata and the loop around it).
    uint256 internal constant COURT_VERDICT = 3_600;
    /// @notice The most tip per gas the court pays back.
    uint256 internal constant COURT_MAX_TIP = 2 gwei;

    /// @notice The price the court pays gas back at.
    function courtPrice() internal view returns (uint256) {
        uint256 cap = block.basefee + COURT_MAX_TIP;
        return tx.gasprice < cap ? tx.gasprice : cap;
    }

    /// @notice `amount` capped by `cap`.
    function capped(uint256 amount, uint256 cap) internal pure returns (uint256) {
        return amount < cap ? amount : cap;
    }
}
