// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// Handler-based invariant tests of scf's money rules, run by forge (`node_modules/.bin/forge
// test`). The handler acts as every role — the project owner, a funder, the reviewer, an
// oracle, a bank, suppliers and substitutes, and a stranger — and tries, each call, one thing
// a role must not do. After every call forge checks the invariants at the bottom.

import {IFundLedger} from "../../contracts/interfaces/IFundLedger.sol";
import {ISubstituteFinancing} from "../../contracts/interfaces/ISubstituteFinancing.sol";
import {FinancingPolicy} from "../../contracts/FinancingPolicy.sol";
import {FinancingPool} from "../../contracts/FinancingPool.sol";
import {FundLedger} from "../../contracts/FundLedger.sol";
import {SettlementToken} from "../../contracts/SettlementToken.sol";
import {SubstituteFinancing} from "../../contracts/SubstituteFinancing.sol";
import {SupplierRegistry} from "../../contracts/SupplierRegistry.sol";

/// The few forge cheatcodes used (forge-std is not used).
interface Vm {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
}

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

bytes32 constant PROJECT = "LITHO-14";
bytes32 constant MATERIALS = "MATERIALS";
bytes32 constant EQUIPMENT = "EQUIPMENT";
bytes32 constant PART = "ARF_RESIST";

address constant OWNER = address(0xA11CE);
address constant FUNDER = address(0xF00D);
address constant REVIEWER = address(0x5EE);
address constant ORACLE = address(0x0AC1E);
address constant BANK = address(0xBA4C);
address constant SUPPLIER = address(0x1001);
address constant SUB_HI = address(0x2001);
address constant SUB_LO = address(0x2002);
address constant STRANGER = address(0xBAD);

contract System {
    SettlementToken public token;
    FinancingPolicy public policy;
    SupplierRegistry public registry;
    FundLedger public ledger;
    FinancingPool public pool;
    SubstituteFinancing public financing;

    function deploy(address admin) internal {
        token = new SettlementToken("Settlement", "STL", 0, address(this));
        policy = new FinancingPolicy(0, address(this));
        registry = new SupplierRegistry(policy, 0, address(this));
        ledger = new FundLedger(token, registry, 0, address(this));
        pool = new FinancingPool(token, 0, address(this));
        financing = new SubstituteFinancing(token, registry, ledger, pool, policy, 0, address(this));
        token.grantRole(keccak256("MINTER_ROLE"), admin);
        registry.grantRole(keccak256("REGISTRAR_ROLE"), address(this));
        registry.grantRole(keccak256("RATER_ROLE"), address(this));
        registry.grantRole(keccak256("TRIGGER_ROLE"), address(financing));
        ledger.grantRole(keccak256("CREATOR_ROLE"), address(this));
        ledger.grantRole(keccak256("REVIEWER_ROLE"), REVIEWER);
        ledger.grantRole(keccak256("FINANCIER_ROLE"), address(financing));
        pool.grantRole(keccak256("FINANCIER_ROLE"), address(financing));
        financing.grantRole(keccak256("ORACLE_ROLE"), ORACLE);

        bytes32[] memory parts = new bytes32[](1);
        parts[0] = PART;
        address[3] memory suppliers = [SUPPLIER, SUB_HI, SUB_LO];
        uint16[3] memory scores = [uint16(820), 900, 650];
        for (uint256 i = 0; i < 3; ++i) {
            registry.register(suppliers[i], bytes32(uint256(i + 1)), parts, 1e12);
            registry.rate(suppliers[i], scores[i]);
        }
        uint32 version = uint32(policy.termsVersion());
        VM.prank(SUB_HI);
        registry.qualify(PART, 30, version);
        VM.prank(SUB_LO);
        registry.qualify(PART, 30, version);

        bytes32[] memory categories = new bytes32[](2);
        categories[0] = MATERIALS;
        categories[1] = EQUIPMENT;
        uint256[] memory caps = new uint256[](2);
        caps[0] = 12_000_000_00;
        caps[1] = 9_000_000_00;
        IFundLedger.Stage[] memory stages = new IFundLedger.Stage[](2);
        stages[0] = IFundLedger.Stage.Research;
        stages[1] = IFundLedger.Stage.Pilot;
        uint256[] memory tranches = new uint256[](2);
        tranches[0] = 8_000_000_00;
        tranches[1] = 13_000_000_00;
        ledger.createProject(
            IFundLedger.ProjectSpec({
                id: PROJECT,
                owner: OWNER,
                categories: categories,
                caps: caps,
                stages: stages,
                tranches: tranches,
                thresholds: IFundLedger.Thresholds({
                    dualControl: 2_000_000_00,
                    nearMargin: 0,
                    payeeShareBps: 10_000,
                    shareFloor: 0
                }),
                substituteFinancing: true
            })
        );
        VM.prank(REVIEWER);
        ledger.approveMilestone(PROJECT, 0, "phase-1 report");
    }
}

contract Handler {
    SettlementToken internal immutable token;
    SupplierRegistry internal immutable registry;
    FundLedger internal immutable ledger;
    FinancingPool internal immutable pool;
    SubstituteFinancing internal immutable financing;

    uint256[] public orders;
    uint256 public calls;
    /// privileged calls that succeeded from an account without the privilege
    uint256 public breaches;
    /// the pool's share price fell at some call
    bool public priceFell;
    uint256 internal lastPrice;
    /// what closing orders undelivered recorded as owed, and what repayments and set-offs
    /// took back, each measured by token movements
    uint256 public recorded;
    uint256 public reduced;

    constructor(SettlementToken t, SupplierRegistry r, FundLedger l, FinancingPool p, SubstituteFinancing f) {
        token = t;
        registry = r;
        ledger = l;
        pool = p;
        financing = f;
        lastPrice = p.convertToAssets(1e18);
    }

    modifier counted() {
        ++calls;
        _;
        uint256 price = pool.convertToAssets(1e18);
        if (price < lastPrice) priceFell = true;
        lastPrice = price;
    }

    function _order(uint256 seed) internal view returns (uint256) {
        return orders.length == 0 ? 0 : orders[seed % orders.length];
    }

    function _mint(address to, uint256 amount) internal {
        token.mint(to, amount);
    }

    // what each role may do

    function fund(uint256 amount) external counted {
        amount = 1 + (amount % 5_000_000_00);
        _mint(FUNDER, amount);
        VM.startPrank(FUNDER);
        token.approve(address(ledger), amount);
        try ledger.fund(PROJECT, amount) {} catch {}
        VM.stopPrank();
    }

    function disburse(uint256 payee, uint256 amount, bool equipment, bool second) external counted {
        address[4] memory payees = [SUPPLIER, SUB_HI, SUB_LO, STRANGER];
        VM.prank(OWNER);
        try ledger.disburse(
            PROJECT,
            payees[payee % 4],
            1 + (amount % 3_000_000_00),
            equipment ? EQUIPMENT : MATERIALS,
            second ? 1 : 0,
            bytes32(0),
            ""
        ) {} catch {}
    }

    function registerOrder(uint256 value, uint256 dueDays, bool second) external counted {
        value = 1_000_00 + (value % 3_000_000_00);
        uint64 due = uint64(block.timestamp + 1 days + (dueDays % 200) * 1 days);
        VM.prank(OWNER);
        try financing.registerOrder(
            PROJECT, PART, SUPPLIER, value, MATERIALS, second ? 1 : 0, due, bytes32(orders.length + 1)
        ) returns (uint256 id) {
            orders.push(id);
        } catch {}
    }

    function approve(uint256 seed) external counted {
        VM.prank(REVIEWER);
        try financing.approveOrder(_order(seed)) {} catch {}
    }

    function deliver(uint256 seed) external counted {
        uint256 id = _order(seed);
        if (id == 0) return;
        VM.prank(financing.order(id).supplier);
        try financing.recordDelivery(id, "note") {} catch {}
    }

    function accept(uint256 seed) external counted {
        VM.prank(OWNER);
        try financing.acceptDelivery(_order(seed)) {} catch {}
    }

    function reject(uint256 seed) external counted {
        VM.prank(REVIEWER);
        try financing.rejectDelivery(_order(seed), "short") {} catch {}
    }

    function settle(uint256 seed) external counted {
        uint256 id = _order(seed);
        if (id == 0) return;
        address supplier = financing.order(id).supplier;
        uint256 rest = ledger.reservationLeft(PROJECT, id);
        uint256 poolBefore = token.balanceOf(address(pool));
        uint256 supplierBefore = token.balanceOf(supplier);
        VM.prank(STRANGER);
        try financing.settleOrder(id) {
            uint256 tookAndPaid = token.balanceOf(address(pool)) - poolBefore + token.balanceOf(supplier)
                - supplierBefore;
            reduced += rest - tookAndPaid - ledger.reservationLeft(PROJECT, id);
        } catch {}
    }

    function closeUndelivered(uint256 seed) external counted {
        uint256 id = _order(seed);
        if (id == 0) return;
        uint256 value = financing.order(id).value;
        uint256 freeBefore = _free();
        VM.prank(REVIEWER);
        try financing.closeUndelivered(id) {
            // the order's value less what came back to the project's free balance: what
            // the pool took from the reservation, at this call or at earlier collections
            recorded += value - (_free() - freeBefore);
        } catch {}
    }

    function _free() internal view returns (uint256) {
        IFundLedger.ProjectInfo memory p = ledger.project(PROJECT);
        return p.balance - p.reserved;
    }

    function disrupt() external counted {
        VM.prank(ORACLE);
        try financing.reportDisruption(SUPPLIER, "FIRE", bytes32(0)) {} catch {}
    }

    function recover() external counted {
        VM.prank(ORACLE);
        try financing.reportRecovery(SUPPLIER) {} catch {}
    }

    function collect(uint256 seed) external counted {
        (, uint256 facilities) = financing.counts();
        if (facilities == 0) return;
        VM.prank(STRANGER);
        try financing.collectFacility(1 + (seed % facilities)) {} catch {}
    }

    function repayRecovery(bool hi, uint256 amount) external counted {
        address debtor = hi ? SUB_HI : SUB_LO;
        amount = 1 + (amount % 1_000_000_00);
        _mint(debtor, amount);
        uint256 before = token.balanceOf(debtor);
        VM.startPrank(debtor);
        token.approve(address(ledger), amount);
        try ledger.repayRecovery(PROJECT, debtor, amount) {
            reduced += before - token.balanceOf(debtor);
        } catch {}
        token.approve(address(ledger), 0);
        VM.stopPrank();
    }

    function deposit(uint256 amount) external counted {
        amount = 1 + (amount % 5_000_000_00);
        _mint(BANK, amount);
        VM.startPrank(BANK);
        token.approve(address(pool), amount);
        try pool.deposit(amount, BANK) {} catch {}
        VM.stopPrank();
    }

    function withdraw(uint256 amount) external counted {
        VM.prank(BANK);
        try pool.withdraw(amount % (pool.maxWithdraw(BANK) + 1), BANK, BANK) {} catch {}
    }

    function time(uint256 hoursAhead) external counted {
        VM.warp(block.timestamp + 1 hours + (hoursAhead % (60 * 24)) * 1 hours);
    }

    // payment runs: the owner pays batches of two runs at the position the run expects, one
    // before it (a position paid) or one after it (a gap); the ledger must take only the
    // first, so each position is paid once and none is skipped

    mapping(bytes32 run => mapping(uint256 position => uint256)) public positionPaid;
    mapping(bytes32 run => uint256) public positionsCovered;
    mapping(bytes32 run => uint256) public highestEnd;
    uint256 public positionsPaidTwice;

    function payRun(bool second, uint256 where, uint256 count, uint256 amount) external counted {
        bytes32 run = second ? bytes32("R2") : bytes32("R1");
        uint256 next = ledger.runPaid(PROJECT, run);
        uint256 pick = where % 3;
        uint256 first = pick == 0 && next > 0 ? next - 1 : next + (pick == 2 ? 1 : 0);
        count = 1 + (count % 3);
        IFundLedger.Payment[] memory payments = new IFundLedger.Payment[](count);
        for (uint256 i = 0; i < count; ++i) {
            payments[i] = IFundLedger.Payment({
                to: SUPPLIER,
                amount: 1 + (amount % 1_000_00),
                category: MATERIALS,
                milestone: 0,
                invoice: bytes32(0),
                memo: ""
            });
        }
        VM.prank(OWNER);
        try ledger.disburseBatch(PROJECT, run, first, payments) {
            for (uint256 i = 0; i < count; ++i) {
                if (++positionPaid[run][first + i] > 1) ++positionsPaidTwice;
            }
            positionsCovered[run] += count;
            if (first + count > highestEnd[run]) highestEnd[run] = first + count;
        } catch {}
    }

    // what no role but the wiring may do: each success is a breach

    function attack(uint256 seed, uint256 who) external counted {
        address[5] memory callers = [OWNER, FUNDER, SUPPLIER, SUB_HI, STRANGER];
        address caller = callers[who % 5];
        uint256 id = _order(seed);
        uint256 kind = seed % 10;
        VM.prank(caller);
        bool ok;
        if (kind == 0) {
            (ok,) = address(ledger).call(
                abi.encodeCall(ledger.payReservation, (PROJECT, id, caller, bytes32(0)))
            );
        } else if (kind == 1) {
            (ok,) = address(ledger).call(
                abi.encodeCall(ledger.payPoolFromReservation, (PROJECT, id, caller, 1))
            );
        } else if (kind == 2) {
            (ok,) = address(ledger).call(abi.encodeCall(ledger.release, (PROJECT, id)));
        } else if (kind == 3) {
            (ok,) = address(ledger).call(abi.encodeCall(ledger.recordRecovery, (PROJECT, id, SUB_LO, 1)));
        } else if (kind == 4) {
            (ok,) = address(pool).call(abi.encodeCall(pool.openFacility, (id, caller, 1, 1, block.timestamp + 1)));
        } else if (kind == 5) {
            (ok,) = address(pool).call(abi.encodeCall(pool.collect, (id, 1)));
        } else if (kind == 6) {
            (ok,) = address(registry).call(abi.encodeCall(registry.markRecovered, (SUPPLIER)));
        } else if (kind == 7) {
            (ok,) = address(registry).call(abi.encodeCall(registry.releaseCapacity, (SUPPLIER, 1, id)));
        } else if (kind == 8) {
            (ok,) = address(token).call(abi.encodeCall(token.mint, (caller, 1)));
        } else {
            (ok,) = address(financing).call(
                abi.encodeCall(financing.reportDisruption, (SUPPLIER, "FIRE", bytes32(0)))
            );
        }
        if (ok) ++breaches;
    }
}

contract MoneyInvariantsTest is System {
    Handler internal handler;

    function setUp() public {
        handler = Handler(address(0)); // the handler is the token's minter: deploy it first
        address predicted = _nextAddress();
        deploy(predicted);
        handler = new Handler(token, registry, ledger, pool, financing);
        require(address(handler) == predicted, "handler address");
    }

    /// The address the next `new` from this contract gets (CREATE: sender and nonce); the
    /// deployment above makes 6 contracts first.
    function _nextAddress() internal view returns (address) {
        uint256 nonce = 1 + 6; // a contract's nonce starts at 1
        return address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), address(this), bytes1(uint8(nonce)))))));
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_eachContractHoldsWhatItsBooksSay() public view {
        IFundLedger.ProjectInfo memory p = ledger.project(PROJECT);
        require(token.balanceOf(address(ledger)) == p.balance, "ledger holds its project's balance");
        require(p.balance >= p.reserved, "free balance never negative");
        // the ledger keeps the balance as free + reserved; it must equal the gross totals
        require(p.balance + p.spent + p.refunded == p.funded + p.recovered, "balance is not its totals");
        require(token.balanceOf(address(pool)) == pool.idle(), "pool holds its idle cash");
        require(token.balanceOf(address(financing)) == 0, "the financing contract holds nothing");
    }

    function invariant_noLineOverItsCapNoMilestoneOverItsTranche() public view {
        IFundLedger.BudgetLine[] memory lines = ledger.budgetLines(PROJECT);
        uint256 lineSpent = 0;
        uint256 lineReserved = 0;
        for (uint256 i = 0; i < lines.length; ++i) {
            require(lines[i].spent + lines[i].reserved <= lines[i].cap, "line over its cap");
            lineSpent += lines[i].spent;
            lineReserved += lines[i].reserved;
        }
        IFundLedger.Milestone[] memory ms = ledger.milestones(PROJECT);
        uint256 milestoneSpent = 0;
        uint256 milestoneReserved = 0;
        for (uint256 i = 0; i < ms.length; ++i) {
            require(ms[i].spent + ms[i].reserved <= ms[i].tranche, "milestone over its tranche");
            require(ms[i].approved || ms[i].spent == 0, "spent on an unapproved milestone");
            milestoneSpent += ms[i].spent;
            milestoneReserved += ms[i].reserved;
        }
        // every use of money lands on one line and one milestone: their sums agree
        require(lineSpent == milestoneSpent, "lines and milestones disagree on spent");
        require(lineReserved == milestoneReserved, "lines and milestones disagree on reserved");
        require(lineReserved == ledger.project(PROJECT).reserved, "project reserved is not its lines'");
    }

    function invariant_thePoolsSharePriceNeverFalls() public view {
        require(!handler.priceFell(), "share price fell");
    }

    function invariant_everyFacilityIsCoveredByItsReservation() public view {
        (, uint256 facilities) = financing.counts();
        for (uint256 id = 1; id <= facilities; ++id) {
            ISubstituteFinancing.Facility memory f = financing.facility(id);
            if (f.status != ISubstituteFinancing.FacilityStatus.Active) continue;
            (uint256 principal, uint256 interest,) = pool.facilityValue(id);
            uint256 toRun = f.stop > block.timestamp ? f.stop - block.timestamp : 0;
            uint256 denominator = 365 days * 10_000;
            uint256 later = (principal * f.rateBps * toRun + denominator - 1) / denominator;
            require(
                principal + interest + later <= ledger.reservationLeft(PROJECT, f.order),
                "facility not covered by its reservation"
            );
        }
    }

    function invariant_recoveriesMatchWhatThePoolTook() public view {
        uint256 owed = ledger.recoveryOwed(PROJECT, SUB_HI) + ledger.recoveryOwed(PROJECT, SUB_LO)
            + ledger.recoveryOwed(PROJECT, SUPPLIER);
        require(owed == handler.recorded() - handler.reduced(), "recoveries match");
    }

    function invariant_aRunPaysEachPositionOnceAndSkipsNone() public view {
        require(handler.positionsPaidTwice() == 0, "a run position paid twice");
        for (uint256 i = 0; i < 2; ++i) {
            bytes32 run = i == 0 ? bytes32("R1") : bytes32("R2");
            uint256 paid = ledger.runPaid(PROJECT, run);
            require(paid == handler.positionsCovered(run), "a run's count is what it paid");
            // as many positions paid, once each, as the highest one paid: none skipped
            require(paid == handler.highestEnd(run), "a run skipped a position");
        }
    }

    function invariant_noRoleDoesWhatOnlyTheWiringMay() public view {
        require(handler.breaches() == 0, "an unauthorised call succeeded");
    }
}
