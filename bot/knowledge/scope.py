"""What the article does not cover: a named list of out-of-scope intents, as data.

The article is about the producer's career path, skills and work. Members also ask, in the same words, about
pay, shopping for gear, choosing software, the law, named schools, promotion and distribution, other careers,
genre or mixing how-tos and plain chat. Each intent below names one such topic and how to spot it:
- `words`: any one of them marks the question (a word the article never uses in its own sense); the engine
  weighs them heavily against answering, but they can be outweighed ("is an internship worth it if it
  isn't paid" is still about internships);
- `pairs`: two adjacent content words that together name the topic although each alone is on-topic;
- `together`: a word from each of two sets anywhere in the question ("best" + "mic");
- `patterns`: regular expressions over the normalised wording (text.words joined by spaces). A pattern is a
  whole intent ("how much do producers make"): the engine declines the question outright — except chat
  (`declines_from_backstory`), which declines only when the asked part of the message is chat itself.
Add a topic by adding an Intent; tests/test_scope.py holds one example per intent and the on-topic questions
that must stay clear of every intent.
"""

from __future__ import annotations

import collections
import functools
import itertools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.knowledge.needles import (
    WORDING_RE,
    WordCondition,
    cheapest,
    first_needles,
    key_words,
    leading,
    word_conditions,
)
from bot.knowledge.text import STOPWORDS


@dataclass(frozen=True, slots=True)
class Intent:
    """One out-of-scope topic and the signals that mark it."""

    name: str
    words: frozenset[str] = frozenset()
    pairs: frozenset[tuple[str, str]] = frozenset()
    together: tuple[frozenset[str], frozenset[str]] | None = None
    patterns: tuple[re.Pattern[str], ...] = field(default=())
    # False for chat: a greeting, a joke or "my cat just walked across my keyboard" around a real question is
    # backstory, so the intent declines only when the asked part of the message (question.asked_part) is
    # itself out of scope. Every other intent declines wherever it appears ("my parents want to know the
    # starting salary... anyone know?").
    declines_from_backstory: bool = True


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _structure(source: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """Yield (position, character, depth) for each character of a regular expression from `start` that is
    neither escaped nor inside a character set; depth counts the groups open around it (a ")" is at the
    depth outside the group it closes)."""
    depth, i, in_set = 0, start, False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 1
        elif in_set:
            in_set = c != "]"
        elif c == "[":
            in_set = True
        else:
            depth -= c == ")"
            yield i, c, depth
            depth += c == "("
        i += 1


def _alternatives(source: str) -> list[str]:
    """Split a regular expression at its top-level "|" (outside groups and character sets)."""
    parts, start = [], 0
    for i, c, depth in _structure(source):
        if c == "|" and depth == 0:
            parts.append(source[start:i])
            start = i + 1
    return [*parts, source[start:]]


def _one_of(source: str) -> str:
    """Regroup an alternation of names by first letter ("akg|apollo" -> "a(?:kg|pollo)"): `re` then tests one
    letter per group instead of every name at every word."""
    groups: dict[str, list[str]] = {}
    for name in _alternatives(source):
        groups.setdefault(name[0], []).append(name[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


def _patterns(*sources: str) -> tuple[re.Pattern[str], ...]:
    r"""Compile an intent's patterns into two regexes that match where any one of them would.

    Every top-level alternative starts with "\b" or "^". The wording is words joined by single spaces, so
    "\bX" is X at the start or after a space: one regex anchored at the start, one led by a space. A leading
    literal lets `re` skip ahead instead of testing "\b" at every character (about 10x faster).
    """
    alternatives = [alt for source in sources for alt in _alternatives(source)]
    assert all(alt.startswith(("\\b", "^")) for alt in alternatives), "each alternative starts with \\b or ^"
    anywhere = "|".join(alt[2:] for alt in alternatives if alt.startswith("\\b"))
    at_start = "|".join(alt[2:] if alt.startswith("\\b") else alt[1:] for alt in alternatives)
    compiled = [re.compile(f"^(?:{at_start})")]
    if anywhere:
        compiled.append(re.compile(f" (?:{anywhere})"))
    return tuple(compiled)


DAW_NAMES = _words(
    """
    ableton fl flstudio logic protools cubase reaper bitwig garageband reason studioone audacity nuendo
    bandlab soundtrap lmms ardour samplitude cakewalk mixcraft renoise tracktion koala caustic ntrack
    """
)
# Gear, plugin and instrument brands and models: members name them only to choose, buy or fix one.
GEAR_NAMES = _words(
    """
    serum nexus kontakt omnisphere waves fabfilter focusrite scarlett yamaha rode shure neumann akai
    novation apollo uad maschine mpc splice macbook imac ipad iphone sm58 sm7b sm7 sm57
    at2020 krk genelec beyerdynamic dt770 dt990 sennheiser hd600 hd650 behringer presonus arturia korg moog
    nord launchpad launchkey komplete spitfire valhalla soundtoys izotope ozone melodyne antares sylenth
    ezdrummer audient motu apogee steinberg akg neve ssl sonarworks soundid jbl mackie rme m50x m50
    mdr7506 7506 nt1 nt1a u87 tlm102 procaster cloudlifter elektron digitakt
    octatrack minifreak microkorg minilogue keystep minilab mpk keylab kontrol roli seaboard tr8 tr808
    tr909 sp404 sp1200 mpc3000 ssd5 getgood toontrack xfer pigments phaseplant kilohearts decapitator
    echoboy soothe gullfoss pultec la2a 1176 auralex ikmultimedia iloud hs5 hs7 hs8 rokit rokits lsr305
    audiotechnica technica polyverse ns10 ns10s ssl2 audiobox minifuse clarett babyface ur22 ur22c kh80
    kh120 t5v a7x lp6 m40x hd280 hd25 tascam h4n zoomh6 neutron nectar rc20 xln spire repro zebra2
    eastwest heavyocity cinesamples bfd3 keyscape trilian halion cymatics volca volcas minimoog deepmind
    td3 focal dynaudio kali audient evo4 evo8 sonible ezkeys
    """
)
GEAR_WORDS = _words(
    """
    daw daws plugin plugins vst vsts mic mics microphone microphones laptop computer controller
    keyboard interface monitors speakers headphones
    """
)
_PRODUCTS = (
    "fl studio|fl|ableton|ableton live|logic|logic pro|pro tools|cubase|reaper|bitwig|garageband|studio one"
    "|reason|audacity|bandlab|mac|pc|macbook|windows|linux|ipad|laptop|desktop"
)
_GEAR = (
    "daws?|plugins?|vsts?|mics?|microphones?|interfaces?|audio interfaces?|laptops?|computers?|keyboards?"
    "|controllers?|midi (keyboards?|controllers?)|monitors?|studio monitors?|speakers?|headphones|synths?"
    "|soft synths?|drum machines?|samplers?|preamps?|condensers?|condenser mics?|cables?|subwoofers?"
    "|chairs?|desks?|acoustic panels?|panels|foam|pop filters?|sample packs?|drum kits?|libraries"
    "|reverb plugins?|compressor plugins?|eq plugins?|limiters?|sequencers?|turntables?|stands?|amp sims?"
    "|drum vsts?|piano vsts?|bass vsts?"
)
# Brands and models inside a pattern, with the words members use when choosing one.
# Brands of more than one word, or whose name is also an everyday word ("push", "waves").
_BRANDS = _one_of(
    "native instruments|ableton push|push [23]|waves (bundle|plugins?)|vital (synth|vst)|adam audio"
    "|universal audio|plugin alliance|u he|roland [a-z]*[0-9]+[a-z]*|juno|op 1|tr 8s?|apollo twin"
    "|warm audio|audio technica|teenage engineering|arturia [a-z]+|korg [a-z]+|mpc (one|live|key)"
)
CHOOSING = _words(
    """
    worth vs versus or better best good enough upgrade upgrading buy buying get getting recommend
    recommended recommendation recommendations recs overhyped overrated hype standard legit scam toy
    instead first using use
    """
)
_CHOOSING = "|".join(sorted(CHOOSING))
_GEAR_OR_DAW = _one_of(
    "|".join(sorted(GEAR_WORDS | DAW_NAMES | _words("roland massive vital waves native push")))
)
# A place or a name after "uni in" / "college near": anything but the words members use about studying itself.
_PLACE = (
    r"(?!(?:the|a|an|my|your|our|their|this|that|music|production|audio|sound|studio|industry|general"
    r"|person|uni|college|school|order|case|fact|to|me|you|here|home|where|by|enough|my|person|class|it"
    r"|person|producing|mixing|engineering|tech|technology|theory|business|performance|composition|terms"
    r"|particular|practice|reality|total|mind|advance|future|time|life|itself|which|what|its|songwriting"
    r"|recording|media|arts?|electronic|film|acoustics|ableton|fl|logic|daws?|general|person|any|some|one"
    r"|person)\b)[a-z]+"
)
_SCHOOLS = (
    "berklee|full sail|fullsail|sae|point blank|goldsmiths|icmp|bimm|lipa|juilliard|nyu|ucla|usc|dubspot"
    "|abbey road|conservatoire|conservatorium|conservatory of|udemy|coursera|skillshare|domestika"
    "|icon collective|masterclass com|berklee online|recording connection|institute of audio research"
    "|harris institute|trebas|tileyard|ssr|catalyst in berlin|liverpool institute|royal academy"
    "|royal college|guildhall|trinity laban|leeds conservatoire|clive davis|musicians institute|calarts"
    "|cal arts|belmont|mtsu|frost school|los angeles recording school|la recording school|pyramind|mcgill"
    "|tonmeister|linkedin learning|lynda|groove3|macprovideo|ask video|askvideo|pensado"
    "|mix with the masters|mwtm|produce like a pro|warren huart|musician on a mission|seed to stage|edmprod"
    "|sonic academy|soundfly|splice skills|slate academy|puremix|nail the mix|rick beato|andrew huang"
    "|busy works|you suck at producing|mr bill|venus theory|dan worrall|recording revolution"
    "|graham cochrane|adam neely|nahre sol|8 bit music theory|white sea studio|produce like a pro academy"
    "|ableton certified|abbey road institute|point blank online|collective academy|hochschule"
    "|the open university|open uni"
)
_GENRES = (
    "trap|drill|lofi|lo fi|house|tech house|deep house|techno|dubstep|edm|hip hop|boom bap|rnb|r and b"
    "|are be|afrobeats?|reggaeton|dembow|phonk|dnb|drum and bass|jersey club|pop punk|k pop|amapiano"
    "|hyperpop|synthwave|ambient|trance|future bass|jungle|uk garage|grime|djent|emo rap|plugg|pluggnb"
    "|baile funk|dancehall|disco|neo soul|hardstyle|psytrance|breakbeat|vaporwave|chillwave|shoegaze"
)
# Genres that are also everyday words: only before "beat", "track", "song", ...
_GENRES_NOUN = (
    _GENRES + "|pop|indie|country|gospel|jazz|metal|funk|garage|rage|glitch|cinematic|trailer|orchestral"
)
_TECHNIQUES = (
    "compress|compressing|eq|sidechain|side chain|autotune|auto tune|quantize|quantise|pan|sample chop|chop"
    "|layer|saturate|distort|tune vocals|pitch correct|resample|modulate|automate|export|de ess|widen"
    "|transpose|warp|time stretch|slice|humanize|humanise|program|sequence"
)
# Named techniques, effects and sounds: the how-to of a sound, not the skill of producing.
_SOUNDS = (
    "808s?|reese( bass)?|supersaw|pluck|plucks|riser|risers|white noise|vinyl crackle|crackle|tape stop"
    "|stutter|granular|wobble|growl|log drum|cowbell|hi ?hat rolls?|hat rolls?|drum fills?|vocal chops?"
    "|ad libs?|pumping (sound|effect|pads?)|sidechain(ing)?|transient shaper|de ?esser|multiband|ott"
    "|vocoder|talk ?box|lfo|oscillator|wavetable|detune|arpeggio|arpeggiator|portamento|stereo (width"
    "|widening|imaging)|wide stereo|mid ?side|phase (issues?|cancellation)|mono compatib|limiters?|clipper"
    "|soft clip|loudness|headroom|gain staging|dither|lufs|true peak|reverb (settings|tail)|delay (settings"
    "|throws?)|ping pong|automation clips?|bus compression|key change|secondary dominant|modal interchange"
    "|voice leading|chord inversions?|counter ?melody|telephone (effect|sound)|radio effect|lo ?fi (effect"
    "|sound)|tape (saturation|warmth)|room treatment|acoustic treatment|treat (my|the|a) room"
)
# DAW and computer trouble: crashes, drivers, latency, file formats.
_TROUBLE = (
    "crashes|crashed|crashing|keeps (freezing|crashing|lagging|glitching)|audio dropouts?|dropouts in"
    "|crackling|crackles|pops and clicks|(fix|get rid of|stop|remove) (the )?(clicks|pops|crackles|hum|buzz"
    "|hiss|clipping|noise floor)|clicks and pops|system overload|cpu (overload|spikes?|usage)|error message"
    "|blue screen|corrupted|autosave|no sound (coming|from|in|out)|no audio|audio drivers?|asio"
    "|drivers? (for|issue|issues|problem|problems|update)|(update|install|reinstall) (the |my )?drivers?"
    "|buffer|latency|wont activate|will not activate|ilok|(plugin|license|licence) (authori[sz]ation"
    "|activation)|reinstall|update broke|after the (update|macos|windows)|(daw|ableton|fl|logic|laptop"
    "|computer|pc|mac|project|session|plugin|it|reaper|cubase) (keeps |always )?(freezing|freezes|froze"
    "|lagging|lags|wont open|will not open|does not open|wont load|will not load|not loading"
    "|stopped working)"
)

INTENTS: tuple[Intent, ...] = (
    Intent(
        "money",
        words=_words(
            """
            salary salaries wage wages earn earns earning earnings income rich paid pay pays paying payment
            payments charging price prices pricing fee fees invoice invoices invoicing royalty royalties
            revenue profit profits cost costs tax taxes broke paycheck paycheque financially afford mortgage
            rent bills dollars bucks hourly unpaid crowdfunding crowdfund kickstarter patreon grant grants
            lowball lowballed lowballing lucrative millionaire millionaires compensated compensation
            residuals upfront paypal stripe venmo cashapp crypto usdt bitcoin refund
            refunds deposit deposits euros pounds quid rupees naira 401k pension insurance
            monetize monetise monetized monetised monetization monetisation sponsorship sponsorships
            stipend stipends discount discounts discounted greedy overcharge overcharging underpaid
            """
        ),
        patterns=_patterns(
            r"\b(what|how much) (do|should|would|can|could|will) (i|you|we|u) ([a-z]+ )?charge\b",
            r"\bhow much\b(?: [a-z]+){0,4}? (make|makes|earn|earns|charge|charges|cost|costs|paid|bill"
            r"|bills|rent|bill)\b",
            r"\b(make|making|makes|earn|earning) (good |decent |real |any |enough |a lot of |some |more "
            r"|quick |extra |fast |serious )?(money|bank|bread|cash|income|a fortune|bag|racks)\b",
            r"\b(going|fair|hourly|day|day s|standard|usual|typical|normal) (rate|rates|fee|price|cut"
            r"|split)\b",
            r"\bcharge (a|an|my|for|per|artists?|rappers?|singers?|clients?|bands?|extra|more|less)\b",
            r"\brates?\b.*\b(charge|ask)\b|\b(charge|ask)\b.*\brates?\b",
            r"\bper (hour|song|track|beat|session|project|stem|mix|master|album|stream|side)\b",
            r"\b(points|percentage|splits?)\b.*\b(producer|producers|artist|singer|song|record|beat)\b",
            r"\b(producer|producers) points?\b|\bpoints (work|worth)\b|\bproducer point\b",
            r"\blive off\b|\blive from (music|beats|producing|production)\b",
            r"\b(get|gets|getting|got) paid\b|\bpaid (for|per)\b|\bis it (always )?unpaid\b",
            r"\bnegotiate\b|\b(my|your|their|a) rates?\b|\brates (for|per)\b|\bdeposit\b",
            r"\bmake (a |my |their )?living\b|\bside hustles?\b|\bside gigs?\b|\bday job money\b",
            r"\bhow much (should|do|would|will|can) (i|you|we|they) (budget|spend|ask|set aside|save)\b",
            r"\b(kickstarter|patreon|crowdfund|crowdfunding|gofundme)\b",
            r"\bhow much (money|cash)\b|\bmoney (upfront|up front|fast|first)\b|\bask (for )?(money"
            r"|payment)\b",
            r"\b(value|price) (my|your|our) (work|beats?|services?|time|mixes|sessions?)\b",
            r"\bspec work\b|\b(business|small business|bank|studio) loans?\b"
            r"|\bloans? (for|to) (build|buy|start|fund)\b",
            r"\b(can|could|will|would) (producing|production|making beats|beats|music) (cover|pay)\b",
            r"\b(replace|match) (my|your|a) (salary|income|wage)\b|\bfull time income\b",
            r"\brecoup(able|ed|ment)?\b|\bbackend\b|\bback end points\b|\b(label|record|signing) advance\b",
            r"\bkill fee\b|\brush (fee|jobs?)\b|\bsliding scale\b|\bwrite (it )?off\b|\bbusiness expenses?\b",
            r"\bself employed\b|\bhealth (insurance|coverage)\b|\bparental leave\b|\bsick pay\b",
            r"\b(cheapest|cheap|cheaper) way to (fund|finance|make|record|release)\b",
            r"\bmoney (side|stuff)\b.*\b(split|ask|bring up|talk)\b|\bwho gets (paid|the money|his share)\b",
            r"\b(tip|tipping) (the )?(engineer|studio|producer)\b",
            r"\b(good|decent|real|the|more|easy) money\b|\b(bring up|talk about|discuss|ask about) "
            r"(the )?(money"
            r"|pay|payment|rates?|fees?|budget)\b|\b(offer|give|ask for) (a |any )?discounts?\b",
        ),
    ),
    Intent(
        "selling-and-business",
        words=_words(
            """
            sell selling sold buy buying bought purchase cheap cheaper cheapest lease leasing leases
            leased beatstars airbit merch gumroad fiverr storefront shopify etsy llc entrepreneur
            entrepreneurship startup customers customer presets drumkits drumkit loopkits ebay craigslist
            """
        ),
        pairs=frozenset(
            {
                ("sample", "pack"),
                ("sample", "packs"),
                ("type", "beats"),
                ("type", "beat"),
                ("drum", "kit"),
                ("drum", "kits"),
                ("loop", "kit"),
                ("loop", "kits"),
                ("beat", "store"),
                ("business", "plan"),
            }
        ),
        patterns=_patterns(
            r"\b(start|open|run|starting|opening|running|build|launch|launching) (up )?(a|an|my|our|your"
            r"|his|her) (own )?(record label|indie label|label|studio business|business|company|beat store"
            r"|store|shop|podcast studio|rehearsal (space|studio)|production company|sample pack brand"
            r"|brand|website|recording studio|studio)\b",
            r"\b(get|find|attract|land|getting|finding) (more |my first |new |paying |regular "
            r"|steady )?(clients|customers|buyers|business)\b",
            r"\b(drum|loop|sample|midi|preset|vocal|one shot) (kits?|packs?|brands?)\b",
            r"\bbusiness plan\b|\bname (for )?(my|our|a) (company|label|studio|brand|business)\b",
            r"\b(exclusive|non exclusive|unlimited) (rights|license|licence|lease|leases)\b",
            r"\b(licensing|license|licence) tiers?\b|\bbeat (store|stores|shop|website|site)\b",
            r"\b(rent|rent out|renting) (my|the|a|our) (studio|room|gear|space)\b",
            r"\b(second hand|secondhand|used) (gear|mic|mics|mpc|synth|synths|interface|monitors)\b",
            r"\b(where|how) (can|do|should|to) (i |you |we )?(buy|sell|get) (a |an |some |used "
            r"|cheap )?(gear|equipment|samples|beats|loops|vinyl|instruments?|mpc|synths?)\b",
            r"\bmusic business\b.*\b(accountant|insurance|register|llc|company)\b|\bbusiness (studies"
            r"|side)\b.*\b(market|sell|assignment)\b",
            r"\b(register|form|set up|incorporate) (a |an |my |our )?(company|llc|ltd|limited company"
            r"|sole trader|business)\b|\bname (for )?(my|our|a) (music|production|recording|beat) (company"
            r"|label|studio|brand|business)\b",
            r"\b(market|advertise|promote|sell) (my |our )?(mixing |mastering |production |recording |beat )"
            r"?(services?|business|studio time)\b",
        ),
    ),
    Intent(
        "legal",
        words=_words(
            """
            copyright copyrighted copyrighting copyrights trademark trademarking trademarked lawsuit
            lawsuits sue sued suing licence license licensed licensing clearance contract contracts legal
            lawyer ethical legally illegal cracked crack pirated piracy nda masters soundexchange sync
            tracklib dmca infringement infringing infringe plagiarism plagiarize interpolation interpolate
            uncleared attorney attorneys litigation patent
            """
        ),
        pairs=frozenset(
            {
                ("clear", "sample"),
                ("clear", "samples"),
                ("record", "deal"),
                ("split", "sheet"),
                ("fair", "use"),
            },
        ),
        patterns=_patterns(
            r"\b(get|getting|be|being|am|are) (properly |officially )?credited\b|\bcredits? (on|in) (spotify"
            r"|apple music|tidal|streaming|discogs)\b",
            r"\bregister (my |our |the )?(songs?|beats?|tracks?|music|name|tag|copyright)\b",
            r"\b(ascap|bmi|prs|socan|gema|sacem|apra|jasrac|mlc|harry fox|songtrust|sound exchange|sesac|gmr"
            r"|mcps|siae|sgae|stim|tono|koda|buma|stemra|ecad|samro|sabam|teosto|akm|iprs)\b",
            r"\bcommercially\b|\bcommercial (use|release|purposes)\b|\broyalty free\b",
            r"\bclear(ing|ed)? (a |the |my |it|that )?samples?\b|\bwithout clearing\b|\bbooking agents?\b"
            r"|\bagent\b.*\bmanager\b",
            r"\b(?<!in )laws?\b|\blegally\b|\bwork for hire\b",
            r"\bprotect (my |our |the )?(beats?|songs?|music|tracks?|name|brand|work|ideas?)\b",
            r"\b(beats?|songs?|music|tracks?|work) (being |getting |was |got )?(stolen|ripped|jacked)\b"
            r"|\bstole (my|our)\b",
            r"\b(master|publishing|exclusive|mechanical|sync|performance|neighbouring|neighboring|moral"
            r"|reversion|termination) (rights?|licen[cs]es?|royalt(y|ies)|splits?)\b",
            r"\bwho owns\b|\bdo i (still )?own\b|\b(i|we|they|you) own the (rights|beat|song|masters?"
            r"|track)\b|\brights (back|to)\b|\b(my|the|our|his|her) rights\b",
            r"\b(360|record|publishing|production|distribution|label|admin|administration|management"
            r"|producer) (deals?|agreements?|contracts?)\b",
            r"\bsplit sheets?\b|\bfair use\b|\bsound ?alike\b|\bcease and desist\b|\bcontent id\b",
            r"\bis (it|this|that) (legal|illegal|allowed to use|ok to use|okay to use|fine to use)\b",
            r"\bwithout (permission|clearing|clearance|a license|a licence|credit)\b|\bpermission to (use"
            r"|sample)\b",
            r"\b(sample|sampling|use|using) (a |an |the )?[a-z ]{0,25}\b(from|off) (a |an "
            r"|the )?(youtube video|movie|film|tv show|netflix|video game|famous song)\b",
            r"\b(claim|claiming|claimed) (my|our|the|their) (songs?|beats?|music|tracks?)\b",
            r"\b(sign|signing|signed) (a |the |this |my )?(contract|agreement|papers?|paperwork|anything"
            r"|nda)\b|\bpaperwork signed\b|\bpower of attorney\b|\bcontrolled composition\b"
            r"|\bletter of direction\b",
            r"\b(remake|recreate|copy) (a |the )?(famous|popular|existing) (beat|song|track)\b.*\b(legal"
            r"|allowed)\b",
            r"\b(visa|visas|work permit|sponsorship for|sponsor (a |an |o 1 )?visas?)\b|\bo 1\b",
            r"\bcriminal record\b|\bbackground checks?\b|\bdrug tests?\b",
        ),
    ),
    Intent(
        "distribution-and-promotion",
        words=_words(
            """
            publishing spotify streams streaming playlist playlists playlisted tiktok instagram twitter
            followers viral algorithm marketing distribution distributor distributors soundcloud bandcamp
            distrokid tunecore promote promoting promotion listeners subscribers fanbase reels epk submithub
            groover tidal deezer cdbaby amuse ditto unitedmasters awal symphonic onerpm routenote twitch
            facebook publicist curators curator presave blog blogs blogger bloggers pitchfork fantano
            subreddit subreddits reddit billboard beatport traxsource shazam vevo promo airplay
            advertising ads influencers snippets hashtags engagement impressions repost reposts
            monstercat audiomack anghami boomplay jiosaavn napster pandora iheartradio snapchat linktree
            hypeddit toneden playlistpush spinnup soundrop distro
            """
        ),
        pairs=frozenset(
            {
                ("record", "label"),
                ("apple", "music"),
                ("get", "signed"),
                ("youtube", "music"),
                ("amazon", "music"),
                ("cd", "baby"),
                ("press", "kit"),
                ("pre", "save"),
                ("youtube", "channel"),
                ("youtube", "shorts"),
            }
        ),
        patterns=_patterns(
            r"\b(get|getting) signed\b",
            r"\bget (a )?manager\b",
            r"\bsend (my |our )?(beats|tracks|music|songs|demo|demos|stuff) to\b",
            r"\brelease (my |our |an? |the |his |her )?(own )?(music|songs?|tracks?|beats?|ep|album|single"
            r"|covers?|mixtape|stuff)\b",
            r"\b(drop|release|put out|drops|dropping|releasing) (singles|an album|my album|an ep|my ep|(a "
            r"|my |the |new |our )?(song|track|single|mixtape|songs|tracks|covers?))\b",
            r"\b(grow|growing|build|building) (my |a |an |our )?(youtube|channel|beat channel|fanbase"
            r"|fan base|audience|following|fans|brand|presence|socials|mailing list|email list)\b",
            r"\b(get|getting|gets) (my |our |more |his |her |the )?(music|songs?|tracks?|beats?|stuff|work"
            r"|ep|single|album|demos?) (heard|noticed|out there|placed|played|reviewed|featured|onto"
            r"|in front of|on (spotify|apple|youtube|the radio|radio|playlists?|tiktok|soundcloud|streaming"
            r"|every|all)|into (playlists?|the hands|djs))\b",
            r"\b(pitch|pitching|submit|submitting) (my |a |our |the |to )?(track|song|music|beat|single|ep"
            r"|demo|playlist|label|labels|blogs?|curators?|beats|songs|tracks)\b",
            r"\b(go|going|went|goes) viral\b|\b(blow|blew|blowing|blows) up\b",
            r"\b(more|get|gain|getting) (plays|streams|listeners|views|followers|subscribers|fans|likes"
            r"|monthly listeners)\b",
            r"\b(get|getting|land|landing|get more) (a |my |more )?(placement|placements|sync placement)\b"
            r"|\bplaced with\b|\b(?<!mic )placements? (with|for|on)\b",
            r"\bradio play\b|\bpress (kit|release)\b|\bcover art\b|\brelease (schedule|strategy|plan|date)\b",
            r"\bwaterfall\b|\bself promo\b|\bpost (my |your |our )?(music|beats|tracks|snippets|songs)\b",
            r"\b(best|what|which|right) (time|day)( of (the )?(week|day|month|year))? to "
            r"(drop|release|relese|post|put out)\b|\brelease on (a )?friday\b",
            r"\b(youtube|tiktok|instagram|ig|spotify|soundcloud|twitch|facebook|reddit) (ads?|promo"
            r"|algorithm|strategy|growth|verified|canvas|editorial|for artists)\b",
            r"\b(get|getting) verified\b|\bfan emails?\b|\bmailing list\b|\bemail list\b",
            r"\bbook(ed|ing)? (a |my |first |more |our |the |some |local )*(gigs?|shows?|shows|tours?)\b"
            r"|\bget (booked|gigs)\b|\b(emailed|emailing|contact|contacting|message) [a-z0-9 ]{0,12}"
            r"(venues|bars"
            r"|clubs|promoters)\b",
            r"\b(get|getting) (my |a )?(song|music|track) (on|in) (a )?(netflix|tv|film|movie|show|ad"
            r"|game)\b",
            r"\b(a and r|a are|a r)s?\b.*\b(listen|notice|hear|reach|contact|dm|email)\b",
            r"\b(famous|big|major) (artists?|rappers?|singers?)\b.*\b(send|dm|hear|reach|contact|placed"
            r"|listen|notice)\b|\b(send|dm|reach|contact)\b.*\b(famous|big|major) (artists?|rappers?"
            r"|singers?)\b",
        ),
    ),
    Intent(
        "product-choice",
        words=_words(
            """
            headphone headphones interface interfaces monitors speakers synth synths ram cpu ssd gpu preamp
            preamps subwoofer subwoofers xlr trs bluetooth condenser earphones rockwool foam
            """
        )
        | GEAR_NAMES,
        together=(GEAR_NAMES, CHOOSING),
        patterns=_patterns(
            r"\b(25|32|37|49|61|76|88) keys?\b|^(a |which |what |best |good |any )?(laptop|computer|pc|mac"
            r"|macbook|mic|microphone|interface|headphones|monitors|speakers|keyboard|controller"
            r"|midi keyboard)s? (for|4) (prod|production|producing|music|beats|mixing|recording"
            r"|making beats)\b",
            rf"\b(which|what)( [a-z0-9]+){{0,2}}? ({_GEAR})( should| is best| is better| are best| do you"
            rf"| would"
            r" you| to (buy|get)| for| do i need to run| do most| do pros| are good| is good| you using"
            r"| u using| are you using| do you guys use| do yall use| do you use| u guys using"
            r"| should i get| is (the )?(easiest|simplest|best|most))\b",
            rf"^({_PRODUCTS}) or ({_PRODUCTS})\b|\b({_PRODUCTS}) or ({_PRODUCTS}) for (a |an |my )?"
            r"(total |complete "
            r"|absolute )?(beginner|beginners|newbie|noob|starting|me|someone|trap|edm|hip hop|rap|mixing)\b",
            rf"\bshould i (get|buy|use) (an? |the )?({_PRODUCTS}|{_GEAR})\b.*\bor\b",
            rf"\b(which|better|best|should i|vs)\b.*\b({_PRODUCTS}) or ({_PRODUCTS})\b",
            rf"\b({_PRODUCTS}) or ({_PRODUCTS})\b(.*\b(which|better|best)\b|( for [a-z ]+)? *$)",
            rf"\b({_PRODUCTS}) (is )?(better|worse) (than|then)\b",
            rf"\b(best|cheapest|good|decent|free)( (?!(at|with)\b)[a-z0-9]+){{0,2}}? ({_GEAR})\b(?! skills)",
            rf"\b(expensive|cheap|budget|pricey) ({_GEAR})\b",
            rf"\bswitch(ing)? (from )?({_PRODUCTS}) to ({_PRODUCTS})\b",
            rf"\b({_GEAR}) (recs|recommendations|must haves|under|for under)\b"
            r"|\bmust haves?\b(?! (skills?|abilit|qualit|traits?|attributes?))"
            r"|\bwhat do (the )?pros use\b",
            rf"\bwhat ({_GEAR}) do i need\b|\bmacbook|\bsm ?58\b",
            r"\bis the [a-z0-9]+ good for (vocals|recording|mixing)\b",
            rf"\b({_BRANDS})\b.*\b({_CHOOSING})\b|\b({_CHOOSING})\b.*\b({_BRANDS})\b",
            rf"^(?=.*\b(vs|versus|recommend|recommended|recommendation|recs)\b).*\b({_GEAR_OR_DAW})\b",
            r"\b(ableton|fl|logic pro|logic x|pro tools|cubase|reaper|bitwig|studio one"
            r"|garageband)\b.*\b(worth|vs|versus|industry standard|upgrade|buy|switch|better for|best for"
            r"|certification)\b",
            r"\b(worth|vs|versus|upgrade|buy|switch) (to )?(ableton|fl|logic|pro tools|cubase|reaper|bitwig"
            r"|studio one)\b",
            r"\b(mac|pc|windows|macbook|imac|ipad|chromebook) (or|vs|versus) (mac|pc|windows|macbook|imac"
            r"|linux|ipad|laptop|desktop)\b",
            r"\b(is|are) (a |an |the )?(ipad|ipad pro|iphone|phone|chromebook|mac mini|mac studio|m1|m2"
            r"|m3)\b.*\b(enough|good|worth)\b",
            r"\b(\d+|one|two) (or|vs) (\d+) (keys|inch|gb|bit)\b|\b\d+ inch\b|\b(for|in|on) logic\b",
            r"\b(mac|pc|laptop|computer|interface|mic|monitors|headphones) (or|vs) (mac|pc|laptop|computer"
            r"|interface|mic|monitors|headphones)\b",
            r"\bwhat( [a-z]+)? (cables?|brand|specs?|ram|cpu)\b.*\b(need|get|buy|should|would|monitors|mic)\b"
            r"|\bwhat size (monitors|speakers|desk|interface)\b",
            r"\b(need|get|buy|upgrade) (a |an |new |more |better )?(ram|ssd|cpu|gpu|hard drive|drive"
            r"|monitors|headphones|interface|mic|synth|laptop|computer)\b.*\b(or|enough|first|worth|which)\b",
            r"\b(orchestral|drum|piano|string|vocal) (libraries|library|vst|vsts)\b",
            r"\b(stock|free|paid) (plugins?|vsts?) (or|vs)\b|\b(plugins?|vsts?|synths?) every producer\b",
            r"\bwhat (mic|microphone|interface|laptop|headphones|monitors|daw|plugins?|vsts?|synths?) (do"
            r"|does|did) (most |the )?(producers|engineers|pros|people) use\b",
        ),
    ),
    Intent(
        "named-schools",
        words=_words(
            """
            berklee fullsail sae goldsmiths icmp bimm lipa juilliard nyu ucla usc dubspot pointblank abbey
            institute conservatoire udemy coursera skillshare domestika tonmeister pyramind mcgill belmont
            conservatorium trebas tileyard groove3 lynda pensado puremix edmprod soundfly guildhall calarts
            """
        ),
        pairs=frozenset({("full", "sail"), ("point", "blank"), ("icon", "collective"), ("rick", "beato")}),
        patterns=_patterns(
            rf"\b({_one_of(_SCHOOLS)})\b",
            r"\b(?!(a|an|the|any|online|free|paid|this|that|good|music|production|producer"
            r"|mixing)\b)[a-z0-9]+s? masterclass\b|\bmasterclass (by|with|from) (?!(a|an|the|my|pros?"
            r"|producers?)\b)[a-z]+\b",
            r"\b(which|what|best|good|top)( [a-z]+){0,3}? (uni|unis|university|universities|college"
            r"|colleges|school|schools|course|courses|program|programs|programme|programmes|academy"
            r"|degree)\b.*"
            rf"\b(in|near|around) ({_PLACE}|"
            r"the (uk|us|usa|states|netherlands|philippines|bay area|midlands))",
            rf"\b(uni|university|college|school|academy|program|programme|course)s? (in|near"
            rf"|around) {_PLACE}",
            r"\buniversity of (?!(life|hard knocks|youtube|the internet)\b)[a-z]+\b",
            r"\b(the|at|to) (?!(a|an|the|my|your|local|community|music|art|arts|technical|state|any|good"
            r"|same|online|big|small|nearest|one|this|that|audio|sound|production|recording|which|what"
            r"|every|some|another|their|his|her|our|open|private|public|top|best)\b)[a-z]+ (university"
            r"|institute|conservatory|conservatoire|academy|college of music|school of music)\b",
            r"\b(which|what|best|good|top|recommend|recommended"
            r"|favou?rite)( [a-z]+){0,3}? (youtube channels?|youtubers?|youtube teachers?"
            r"|youtube tutorials?|course platforms?|tutorial channels?)\b"
            r"(?! (say|says|said|claim|claims|tell|told|think|thinks|make it (look|seem|sound)))",
            r"\b(youtube channels?|youtubers?) (you |u )?(recommend|to learn|for learning|to follow)\b",
            r"\b(entry requirements|grades do i need|grades to get into)\b.*\b(for|into) (the )?(?!(a|an"
            r"|uni|university|college|music|production)\b)[a-z]+\b",
            r"\b(?!(a|an|the|online|free|paid|production|mixing|music|any|which|what|uni|college|this|that"
            r"|youtube|audio|short|long|good|best|my)\b)[a-z]+ (videos|tutorials|course|courses) (are"
            r"|is) (best|good|worth)\b",
            r"\b(which|what) (specific )?(unis|universities|colleges|schools|academies|institutes) (teach"
            r"|offer|have|are (best|good|there))\b",
            r"\b(ableton|fl|logic|splice|izotope|waves|native instruments|apple)( s)? (free )?(learning music"
            r"|academy|certification|certified|learning site|courses?)\b|\b(loopop|sadowick|ill factor"
            r"|jake lizzio|charles cleyn|mixbus tv|red means recording|reid stefan|in the mix channel)\b",
        ),
    ),
    Intent(
        "other-careers",
        words=_words(
            """
            doctor doctors dentist dentists lawyers nurse nurses nursing teaching accountant accountants
            accounting pilot pilots chef chefs cook plumber electrician architect pharmacist vet surgeon
            therapist psychologist journalist photographer photography filmmaker filmmaking film films movie
            movies tv television podcast podcasts programmer programmers programming developer developers
            coder coding firefighter police cop soldier actor actress acting influencer youtuber streamer
            athlete barber mechanic cashier waiter waitress restaurant retail medicine medical hospital
            banking djing dj djs foley scoring podcasting roadie conductor orchestrator luthier copyist
            audiobook audiobooks broadcasting videographer choreographer dancer dancers journalism acoustician
            forensics forensic promoter narrator
            """
        ),
        pairs=frozenset(
            {
                ("software", "engineer"),
                ("software", "engineering"),
                ("software", "engineers"),
                ("software", "developer"),
                ("music", "supervisor"),
                ("music", "therapy"),
                ("vocal", "coach"),
                ("voice", "actor"),
                ("guitar", "tech"),
                ("drum", "tech"),
                ("piano", "tuner"),
                ("tour", "manager"),
                ("stage", "manager"),
            }
        ),
        patterns=_patterns(
            r"\bbecome (a |an )?(dj|radio|tour|music manager|manager|a and r|a r|a are|ar"
            r"|session (guitarist|drummer|player|musician|vocalist|singer|bassist|keyboardist)"
            r"|mastering engineer|live sound|foh|composer|film composer|voice|singer|rapper|sound designer"
            r"|game|songwriter|topliner|lyricist|music (supervisor|journalist|critic|teacher|therapist"
            r"|lawyer|librarian|publicist|promoter|director|agent|manager|video director)|piano tuner"
            r"|luthier|conductor|choir director|orchestrator|copyist|vocal coach|voice actor|foley artist"
            r"|dialogue editor|boom operator|field recordist|audio programmer|plugin developer|dsp engineer"
            r"|broadcast|monitor engineer|stage manager|lighting|guitar tech|drum tech|roadie|booking agent"
            r"|artist manager|talent manager|concert promoter|tour manager|backing (singer|vocalist|dancer)"
            r"|dancer|video editor|videographer|acoustician|studio designer|podcast (producer|editor))\b",
            r"\b(game|games|video game) (audio|music|sound|composer|composing)\b",
            r"\blive sound engineer\b.*\btours?\b",
            r"\b(live sound|foh|front of house|monitor)\b.*\b(career|hired|certifications?|tours?|touring"
            r"|theaters?|theatres?|engineer for)\b",
            r"\bbecome (a |an )?(foh|front of house|monitor) (engineer|tech|technician|mixer)\b"
            r"|\blive sound as (a |my )?(actual |main |real )?(full time )?(job|career|living)\b",
            r"\b(live sound|foh) (engineer|tech|technician)s? (for|at) (concerts|tours|a theater"
            r"|festivals)\b",
            r"\bradio (producer|station|show|host|presenter|dj)s?\b|\bvideo editor\b",
            r"\bsound design(er)? (for|in) (video )?(film|films|movies|games|tv|theme parks?|theatre|theater"
            r"|ads)\b",
            r"\b(audio|sound) for (video )?games\b|\bsound (engineer|designer|guy)s? (for|in|at) (films?"
            r"|movies|tv|theatre|theater|tours?|broadcast|games|theme parks?)\b|\bbecome (a "
            r"|an )?(live )?sound (engineer|tech|technician|guy) (for|at|on) (?!(a |the )?studio)",
            r"\bsession (guitarist|drummer|bassist|player|musician|singer|keyboardist|vocalist)s? (find|get"
            r"|make)\b|\bsession (guitarist|drummer|bassist|vocalist|singer)\b.*\b(career|realistic|living"
            r"|job)\b",
            r"\b(living|career) as a session\b|\b(be|become) (a |an )?(a and r|a r|a are)\b",
            r"\bbecome (a |an )?(mixing|mastering|audio|foh|live sound|broadcast|monitor"
            r"|recording) engineer\b",
            r"\b(a and r|a r|a are) do\b|\bmusic manager do\b|\ban (a and r|a are|a r) at\b",
            r"\blearn (to|how to) sing\b",
            r"\b(become|be) (a |an )?(music |piano |guitar )?teacher\b|\b(good|great|best|bad) teachers?\b",
            r"\b(career|path|job|jobs|hired|work) (path |as |for |at |in )(a |an )?(mastering|live sound"
            r"|foh|post production|audio post|broadcast|game audio|film audio|sync|a and r|a are|label"
            r"|publishing|music business)\b",
            r"\b(get|getting|break|breaking) into (mastering|audio post|post production|game audio"
            r"|film scoring|composing|scoring|sound design|live sound|broadcast|radio|music journalism"
            r"|journalism|the label side|a and r|a are|artist management|management|audio programming"
            r"|plugin development|music video|music videos|acoustics|audiobook|podcast)\b",
            r"\b(what does|what do|whats|what is) (a |an )?(music supervisor|dialogue editor|boom operator"
            r"|music therapist|tour manager|stage manager|booking agent|music publisher|a and r|a are"
            r"|artist manager|foley artist|sound designer|monitor engineer|orchestrator|copyist"
            r"|mastering engineer|mix engineer|mixing engineer)s? (do|job)\b",
            r"\b(composing|compose|scoring|score|composer|composers) (music )?(for|in) (films?|movies|tv"
            r"|games|video games|ads|trailers|theatre|media)\b|\bfilm scores?\b",
            r"\b(work|job|jobs|career|working) (at|for) (a |the )?(spotify|apple|youtube|guitar center"
            r"|sweetwater|ableton|native instruments|splice|a festival|a sync agency|sync agencies)\b",
            r"\bsongwriters?\b.*\b(get into|companies|k pop|publishers?|cuts?|placements?)\b"
            r"|\bwrite songs for (k pop|companies|labels|publishers|other artists for)\b",
            r"\b(open|start|run|opening|starting) (a|my|our|an) (own )?(record store|music store"
            r"|guitar store|venue|club night|festival)\b|\b(throw|throwing|promote|promoting) (shows"
            r"|concerts|club nights|parties|events)\b|\bconcert promoter\b",
            r"\b(union|unions|afm|musicians union|recording academy|grammy membership)\b",
            r"\b(get|getting) (booked|gigs?) as (a |an )?(dj|club dj)\b|\bclub dj\b",
            r"\bmixing podcasts\b|\bpodcast editing\b|\baudiobook (editing|narration)\b",
            r"\b(trailer|film|tv|game|advert|commercial|library|media) music (composing|composer|composition"
            r"|scoring|career|industry)\b|\bbroadcast (engineer|engineering|technician)s?\b",
            r"\b(only|just|specifically|purely|strictly) (a |an )?(mastering|mixing|mix|live sound|foh)"
            r" engineer\b|\b(path|road|route|way) to (becoming )?(a |an )?(mastering|mixing|mix|live sound"
            r"|foh|broadcast|game audio|monitor) engineer\b"
            r"|\bmastering engineer\b.*\b(career|become|start)\b",
            r"\b(music|piano|guitar|school|private) (teacher|teaching|lessons?)\b.*\bcareer\b"
            r"|\bteaching (career|job|jobs)\b|\bbecome (an )?(a and are|a are)\b",
        ),
    ),
    Intent(
        "technique-how-to",
        words=_words(
            """
            808 808s snare snares hihat hihats sidechain sidechaining autotune lufs reverb reverbs delay
            saturation distortion glide arpeggiator wobble transient limiter limiters deesser vocoder
            supersaw reese riser risers granular oscillator lfo wavetable portamento dither stems bpm
            modulate modulation crackle resample resampling quantize quantise multiband sibilance
            sibilant boxy
            """
        ),
        pairs=frozenset({("hi", "hats"), ("hi", "hat"), ("drum", "pattern"), ("mid", "side")}),
        patterns=_patterns(
            r"\b(how|way) (do|to|can|should|would|does) (i |you |we |one |people |producers |ppl )?(make"
            r"|produce|get|do|write|program|mix|master|record|build|create) (a |an |my |the |some |those "
            r"|that |these )?"
            rf"(({_GENRES_NOUN}) (beat|beats|track|tracks|song|songs|drums|sound|bass|melody|melodies"
            rf"|vocals|groove|kick|pattern|patterns|chords|loop|loops|style|vibe|music|guitars?)"
            rf"|{_GENRES})\b",
            rf"\bhow (do|to|can|should) (i |you |we )?({_TECHNIQUES})\b",
            r"\bwhat key is\b|\bwhich key\b|\b(what|which) (bpm|tempo|scale)\b|\beq settings\b|\bbpm is\b"
            r"|\bgood bpm\b|\bbpm for\b",
            r"\bsoundproof|\blatency\b|\bkeeps? crashing\b",
            r"\b(eq|compress|mix|master) (my |the |a )?(vocals?|kick|drums|bass|snare|mix"
            r"|master)\b.*\b(frequenc|settings|ratio|sit)",
            r"\bparallel compression\b|\bchord progressions?\b|\bmake a good (kick|snare|808|beat|melody)\b",
            r"\bmake (my |a |the |those |these )?(kick|snare|808s?|bass|drums|hats"
            r"|claps?)( drum)? (punchier|hit|louder|good|better|harder|slap|knock|cut through|bang)\b",
            r"\bwhat is (sidechain|parallel|multiband|bus|upward|downward) compression\b",
            r"\b(vocal|mastering|mix) chain\b|\bgain stag|\bsample rate\b|\bbit depth\b|\bbuffer size\b",
            r"\b(how|way) (do|to|can|should) (i |you |we )?(flip|chop|resample|automate|tune|de ?ess|mix"
            r"|master|eq|layer|pan|program|quantize|sequence|record|mic|process|compress|sidechain|glue"
            r"|widen|double|stack|tune) (a |my |the |this |some |those |these )?([a-z]+ )?(sample|samples"
            r"|vocals?|kick|snare|drums|bass|808s?|track|beat|song|synths?|guitars?|piano|strings|pads?"
            r"|hats|hi hats|claps?|loops?|bus|drum bus|master bus|stems|acapella|choir|horns|brass|amp|cab"
            r"|ad libs?|harmonies|background vocals|backing vocals)\b",
            r"\b(drum|hi hat|hihat|hat|kick) (pattern|patterns|rolls?|programming|groove)\b|\btype beat\b"
            r"|\bbeat like\b",
            r"\btune (my|a|the|your) (guitar|bass|piano|drums|instrument|violin|ukulele)\b",
            rf"\b({_one_of(_SOUNDS)})\b",
            r"\b(convert|export|exporting|bounce|bouncing|render|rendering) (a |my |the |as |to |in )?(flac"
            r"|wav|mp3|aiff|stems?|midi|project|track|song|file|files|24|32|16)\b",
            r"\b(24|32|16) bit\b|\b(44|48|96) ?k(hz)?\b|\bflac\b|\bmp3\b|\bwav\b|\bmidi files?\b",
            r"\b(reset|change|customi[sz]e) (my |the )?(theme|layout|skin|workspace|template|shortcuts?)\b"
            r"|\b(session|project) template\b|\bcolou?r coding\b|\bkey ?commands?\b|\bkeyboard shortcuts?\b",
            r"\bhow (do|to|can|should) (i |you |we |people |producers )?(use|set up|setup|get|make"
            r"|write) (a |an |the |my |those |that |these )?([a-z]+ )?(compressor|limiter|eq|equali[sz]er"
            r"|reverb|delay|gate|filter|automation|sidechain|vocoder|sampler|arpeggiator|clipper|saturator"
            r"|transient shaper|de esser|bus|send|return|aux|groove|swing|velocity|modulation|lfo|envelope"
            r"|bridge|chorus|breakdown|build up|buildup|intro|outro|counter melody|bassline|bass line)\b",
            r"\b(attack|release|ratio|threshold|knee) (and|&|or|time|settings?)\b|\bsettings for\b",
            r"\bhow (do|to|can|should) (i |you |we )?(get|make) (that|those) [a-z ]{0,20}(sound|vibe"
            r"|texture|textures|tone|effect|groove)\b",
            r"\bsound (like|as if) (they are |it is |its )?(coming through|a telephone|an old|a radio|vinyl"
            r"|underwater|[a-z]+ scott|drake|kanye|metro|travis)\b|\bsound like (travis|drake|kanye|metro)\b",
            r"\b(mix|mixing|record|recording|eq|eqing|compress) (quad|double|doubled|rhythm|acoustic"
            r"|electric) (tracked )?(guitars?|vocals?)\b|\bwall of sound\b",
            r"\b(one|a single|two) mics? on\b|\b(record|recording|mic|micing|miking) (guitar|drums|amp"
            r"|piano|acoustic guitar) (direct|di)\b",
            r"\b(write|writing) (a |good |better |catchy )?(bridge|hook|chorus|verse|lyrics)\b.*\b(pop|song"
            r"|rap|track)\b",
            r"\b(make|making|get) (my |the |a )?(mix|mixes|master|track|song|beat)s? (louder|wider|punchier"
            r"|warmer|brighter|fatter)\b|\bwithout (distortion|clipping)\b",
            r"\b(analog|analogue|warm|tape|vintage) (sound|warmth|vibe)\b.*\b(box|plugin|digital|daw"
            r"|get (it|that|this|one))\b",
            r"\b(compressor|compression|eq|reverb|delay|limiter|gate|saturation|synth|mic|preamp|attack"
            r"|release) settings?\b|\b(starting point|settings?) for (a |the |my )?(compressor|eq|reverb"
            r"|limiter|delay|gate)\b",
        ),
    ),
    Intent(
        "tech-support",
        words=_words("crashes crashing crashed bluescreen asio autosave ilok"),
        patterns=_patterns(
            rf"\b({_TROUBLE})\b",
            r"\b(windows defender|antivirus|windows update|macos|mac os|sonoma|ventura|monterey"
            r"|ios update)\b",
            r"\b(plugins?|vsts?|vst3|au|interface|focusrite|scarlett|midi keyboard|controller) (are "
            r"|is )?(not|isnt|arent|wont|will not|stopped) (showing|show|working|loading|detected|connect"
            r"|recogni)",
            r"\b(lost|recover|recovering|restore|deleted) (my )?(whole )?(project|projects|session|files?"
            r"|beat)s?\b|\bpower cut\b|\bbackup\b",
            r"\bout of sync\b|\b(stems|tracks) (are )?(all )?out of\b",
            r"\bmissing (samples|plugins|files|media|audio files)\b|\bback ?up (my |the |all )?(projects?"
            r"|sessions?|files|samples|work|hard drive)\b|\bground(ing)? (loop|hum|noise|issues?)\b"
            r"|\bhum (from|in|on|when|coming)\b",
            r"\b(open|import|convert|transfer|move|migrate) (a |an |my |the |all )?([a-z]+ )?(project|session"
            r"|projects|sessions|plugins|samples|libraries|files) (in|into|to|from|onto) (a |an |my |the )?"
            r"(new"
            r"|another|different|ableton|fl|logic|pro tools|cubase|reaper|studio one|mac|pc|laptop)\b",
        ),
    ),
    Intent(
        "statistics",
        words=_words(
            """
            statistics statistic stats percentage percent retire retirement proportion fraction
            median demographics
            """
        ),
        patterns=_patterns(
            r"\bon average\b|\baverage (salary|age|income|pay|number|length|time|years?|producer|hours?"
            r"|song)\b",
            r"\b(what|which) percent(age)?\b|\bsuccess rate\b|\bstatistics?\b|\bstats\b",
            r"\bhow many( [a-z]+)? (producers|music producers|people|songs|tracks|beats|studios"
            r"|record labels|labels|interns|students|women|artists|streams|plugins|hours|graduates"
            r"|applicants|albums|releases|winners|hits)\b(?!.*\b(do i need|do you need|should|can i"
            r"|does it take|will it take)\b)",
            r"\b(what|which) (share|fraction|proportion|portion|ratio) of\b|\b(odds|chances?) of (getting"
            r"|making|landing|having)\b.*\b(hit|placement|grammy|famous|signed|deal)\b",
            r"\b(how (big|large|fast)|market size) (is )?(the )?(global |music |music production "
            r"|streaming |recording )+(industry|market|business)\b|\b(industry|market) (size|growth rate)\b",
            r"\b(dropout|drop out|unemployment|graduation|acceptance|hire|hiring) rate\b",
            r"\bmedian\b|\bevery (day|year|month|week)\b.*\b(uploaded|released|graduate|apply)\b",
            r"\bhow (big|large) is the\b.*\b(market|industry)\b",
        ),
    ),
    Intent(
        "health",
        words=_words("posture earplugs newborn pregnant adhd autism autistic dyslexia dyslexic wheelchair"),
        patterns=_patterns(
            r"\btinnitus\b|\bhearing (loss|damage)\b|\bears? (ringing|ring)\b|\bprotect (my )?(hearing"
            r"|ears)\b",
            r"\b(back|neck|wrist) (is killing|pain|hurts)\b|\bburn ?out\b.*\bdepress|\bergonomic",
            r"\b(adhd|autism|autistic|dyslexia|dyslexic|wheelchair|disability|disabled|newborn|pregnant)\b",
        ),
    ),
    Intent(
        "chat",
        declines_from_backstory=False,
        words=_words(
            """
            weather recipe football soccer basketball anime netflix fortnite nickname alias grammys coachella
            lunch dinner breakfast birthday puppy kitten
            """
        ),
        patterns=_patterns(
            r"^(what is |whats )?(good|up|good morning|gm|sup)( (everyone|all|guys|fam|people|yall))?$",
            r"^(good )?(morning|evening|night|afternoon)( (everyone|all|guys|fam|people|yall|folks|chat))?$",
            r"^(hi|hello|hey|yo|hiya|howdy|heya|sup|gm|gn)( (there|bot|everyone|all|guys|fam|people|yall"
            r"|folks|chat|mentor|studio mentor))*$",
            r"\bof all time\b",
            r"\b(who is|whos|who are) (the )?(best|greatest|goat|top|hottest)\b",
            r"\b(your|ur) (setup|set up|studio setup|gear)\b",
            r"\b(drop|post|share) (your|ur) (soundcloud|links?|beats|tracks)\b",
            r"\bwho (produced|made|mixed)\b",
            r"\bwho (wins|won)\b",
            r"\bfavou?rite (album|song|producer|artist|track|daw|genre|band|rapper|movie|food|color"
            r"|colour)\b",
            r"\b(rate|review|check out|listen to) my (new )?(beat|track|song|mix|music)\b|\blink in bio\b",
            r"\banyone (here )?from\b",
            r"\b(this|the) (server|channel|chat) is (so |really |kinda )?(dead|fire|great|quiet|cool"
            r"|amazing|lit)\b",
            r"\bhow (old|rich) (was|is|are)\b",
            r"\bhow did (?!(most|you|u|other|all|famous|successful|the|these|those|real|pro|professional"
            r"|producers|people|they|we|big|great|top|music|i|some|many)\b)[a-z]+( [a-z]+)? get (famous|big"
            r"|rich|started|their big break)\b|\bget (his|her|their) big break\b",
            r"\bwhat (plugins|daw|gear|mic) (does|did) (?!(a|an|the|every|my|each)\b)[a-z]+( [a-z]+)? use\b",
            r"\bwhat time is it\b",
            r"\bhours of sleep\b",
            r"\banyone (want|wanna|wants) to\b|\bdoes anyone want to\b|\bany ?1 (wanna|want to)\b",
            r"\bai\b",
            r"\bhow many hours (a|per) (week|day)\b|\b(channel|role|bot) (on|in|for) (this|the) server\b",
            r"\b(who is|whos|who s) better\b|\b(your|ur) (favou?rite|fav)\b|\beveryone listening to\b",
            r"\b(tell me|know) a joke\b|\bpizza\b|\bwifi\b|\bmy (cat|dog)\b",
            r"^(thanks|thank you|thx|ty|lol|lmao|haha|nice|cool|ok|okay|bye|gn|good night)( [a-z]+){0,3}$",
            # A greeting or sign-off, then news, nothing asked ("gn everyone, great session today").
            r"^(gn|gm|good night|good morning|morning|night|evening|hey|hi|hello|yo|sup|hiya)\b(?!.*\b(how"
            r"|what|which|who|why|where|when|should|shall|can|could|would|will|do|does|did|is|are|am|any|anyone"
            r"|anybody|tips?|advice|help|pls|please|need|wondering|question)\b)",
            r"\bhow are (you|u)\b|\bwhats your name\b|\bwho (made|built|created|coded) (you|u|this bot)\b",
            r"\bare (you|u) (chatgpt|gpt|an ai|ai|sentient|alive|conscious)\b|\b(anyone|anybody) (wanna"
            r"|want to) collab\b",
            r"\b(are you|r u|are u|r you|you are|your) (a )?(real person|human|a person|person|bot|robot"
            r"|real)\b(?! (producer|producers|engineer|artist|musician))",
            r"\b(can|could) (you|u) (sing|rap|dance)\b(?! (and|or|while|if))|\b(can|could) you (write me"
            r"|make me|help me with my homework|translate|recommend a (movie|show|book|game))\b|\b(write"
            r"|make) me (a |some )?(poem|lyrics|song|story|beat)\b",
            r"\b(do|did) you (dream|sleep|eat)\b|\bwhat (music|songs|genres) do you (listen|like)\b"
            r"|\bwhere are you from( bot)?$|\bhow old are you( bot)?$|\bwhat are you doing( bot| today"
            r"| rn)?$",
            r"\bmeaning of life\b|\b\d+ (plus|minus|times) \d+\b|\bto plus to\b|\bmy homework\b",
            r"^(happy|merry) (new year|friday|monday|holidays|christmas|birthday|weekend"
            r"|thanksgiving)( [a-z]+){0,4}$",
            r"\b(weekend|day) (going|been)\b|\bhows everyone\b|\bhow is everyone (doing|today|going)\b"
            r"|\bwhos making music\b",
            r"\b(lets go+|lfg)( [a-z]+)?$|\bjust finished my first (beat|track|song)( [a-z]+){0,2}$",
            r"\b(video games?|movie|tv show|book) to (play|watch|read)\b|\bgood (movie|show|game|book)\b",
            r"\bwhat should i (have|eat|cook) for\b|\bwhat did (you|yall|you guys) eat\b|\bstarving\b",
            r"\b(watching|watch) the (game|match|fight)\b|\bwho won the\b",
            r"\b(mods?|moderators?|admins?) (here|on this)\b|\breport someone\b|\bbanned\b",
            r"\b(change|set) (my )?(nickname|name|avatar|role) on\b|\bon this discord\b",
            r"^(im|i am) so (tired|bored|hungry|sleepy)( today| rn| lol)?$|\bi love this (community|server)$",
            r"\bdo you like [a-z]+( [a-z]+)?$|\bwho is the best (rapper|producer|singer|dj)\b",
            r"\b(looking for|need) (a )?(female |male )?(vocalist|singer|rapper|feature|collab)\b.*\bdm\b",
            r"\bhit my (dms?|line|inbox)\b|\bdm me\b|\bany (rappers|singers|artists|vocalists) (in )?here"
            r" (need|want|looking)\b",
            r"^(im|i am|i m) (so )?(bored|tired|hungry|sleepy)\b.*\bwhat (should|can) i do\b",
            r"\b(did|was|does) (?!(you|u|i|most|other|the|all|every|any|a|an|producers|people|they|it"
            r"|that|this|he|she|we)\b)[a-z]+( [a-z]+)? (go to (school|uni|university|college)|self taught"
            r"|study (music|production|audio))\b|\bhow did (?!(most|you|u|other|all|famous|successful|the"
            r"|these|those|real|pro|professional|producers|people|they|we|big|great|top|music|i|some|many)\b)"
            r"[a-z]+( [a-z]+)? (learn|study|train)\b",
        ),
    ),
)

# Intents that are only backstory unless the asked part of a message is out of scope too (see Intent).
BACKSTORY_CHATTER: frozenset[str] = frozenset(i.name for i in INTENTS if not i.declines_from_backstory)
_WORD_INTENT: dict[str, str] = {w: intent.name for intent in INTENTS for w in intent.words}
_PAIR_INTENT: dict[tuple[str, str], str] = {p: intent.name for intent in INTENTS for p in intent.pairs}
_TOGETHER = tuple((k, intent.together) for k, intent in enumerate(INTENTS) if intent.together)
# Marked words that mean something else before these words: a "promotion to producer" is a step up the
# career ladder, not promoting a release.
_UNMARKED_BEFORE: dict[str, frozenset[str]] = {
    "promotion": frozenset({"to", "from"}),
    "promote": frozenset({"me", "you", "u", "him", "her", "them", "interns", "assistants"}),
}

# Group references tie a pattern's alternatives together; a plain prefix ("^", " ") then one group.
_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?\(")
_WRAPPED = re.compile(r"(?s)([^(|\\]*)\(\?:(.*)\)")


def _pieces(pattern: re.Pattern[str]) -> list[str]:
    """Split a pattern into sources, one per alternative, that together match exactly where it does.

    "A|B" is searched as "A" and "B"; "^(?:A|B)" (how _patterns compiles an intent) as "^(?:A)" and
    "^(?:B)". A pattern with group references, or of another shape, stays whole. (Compiled with the
    pattern's flags.)
    """
    source = pattern.pattern
    if _BACKREFERENCE.search(source):
        return [source]
    alternatives = _alternatives(source)
    if len(alternatives) > 1:
        return alternatives
    wrapped = _WRAPPED.fullmatch(source)
    if wrapped is None or len(_alternatives(wrapped[2])) == 1 or not _closes_at_end(source):
        return [source]
    return [f"{wrapped[1]}(?:{alt})" for alt in _alternatives(wrapped[2])]


def _closes_at_end(source: str) -> bool:
    """Return True when the first group opened after a plain prefix is closed by the source's last ")"."""
    for i, c, depth in _structure(source, source.index("(?:")):
        if c == ")" and depth == 0:
            return i == len(source) - 1
    return False


# A word condition (needles.WordCondition) ready for checking: its key words, and key word -> alternatives.
_Keyed = tuple[frozenset[str], dict[str, tuple[tuple[str, ...], ...]]]


@dataclass(frozen=True, slots=True)
class _PatternIndex:
    """Which out-of-scope patterns can match a question at all (needles.py), so few are ever searched.

    Each intent's patterns are split into one piece per alternative (_pieces). A piece anchored at the start
    is filed under the first letters of the strings a question it matches starts with (needles.leading);
    another with word conditions (needles.word_conditions) under key words of one of them; one with neither
    under substrings one of which a question it matches holds (needles.needles), or else it is always
    searched. A filed piece is searched only when a question starts right, holds a key word or substring,
    and meets all the piece's word conditions. That costs a few lookups and set comparisons per question,
    and a search of the pieces that remain: about one of 800 (each compiled when first searched).
    """

    pieces: tuple[tuple[int, str, int], ...]  # every piece: its intent's position in INTENTS, source, flags
    compiled: list[re.Pattern[str] | None]  # each piece, once compiled
    # each piece's word conditions still to check when it is reached (a key word's piece meets its filed one)
    conditions: tuple[tuple[_Keyed, ...], ...]
    # first letters (up to PREFIX_KEY) -> (piece, those of the strings a question it matches starts with that
    # start with these letters)
    by_prefix: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]
    # key word -> (piece, the words of one alternative of its filed condition that holds that key)
    by_word: dict[str, tuple[tuple[int, tuple[str, ...]], ...]]
    by_needle: dict[str, frozenset[int]]
    always: frozenset[int]

    PREFIX_KEY = 8

    @classmethod
    def build(cls) -> _PatternIndex:
        """Index the patterns of INTENTS."""
        pieces = tuple(
            (k, piece, p.flags)
            for k, intent in enumerate(INTENTS)
            for p in intent.patterns
            for piece in _pieces(p)
        )
        found_conditions = [word_conditions(source, flags) for _k, source, flags in pieces]
        # How many alternatives of all pieces hold each word: widely used words make poor keys.
        counts = collections.Counter(w for found in found_conditions for c in found for ws in c for w in ws)
        by_prefix: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        shared: dict[frozenset[str], tuple[str, ...]] = {}
        shared_starts: dict[tuple[str, ...], tuple[str, ...]] = {}

        def compact(words: frozenset[str]) -> tuple[str, ...]:
            """One small tuple per distinct set of words (thousands of alternatives repeat)."""
            return shared.setdefault(words, tuple(sorted(words)))

        by_word: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        by_needle: dict[str, set[int]] = {}
        always: set[int] = set()
        checked = list(found_conditions)  # the conditions left to check once a piece is reached
        for j, ((_k, source, flags), found) in enumerate(zip(pieces, found_conditions, strict=True)):
            starts = leading(source, flags)
            if starts is not None:
                # Under each leading string's first PREFIX_KEY letters, the leading strings that start so.
                keyed: dict[str, list[str]] = {}
                for start in starts:
                    keyed.setdefault(start[: cls.PREFIX_KEY], []).append(start)
                for key, same in keyed.items():
                    strings = shared_starts.setdefault(tuple(same), tuple(same))
                    by_prefix.setdefault(key, []).append((j, strings))
                continue
            if found:
                filed = cheapest(found, STOPWORDS, counts)
                for words, key in key_words(filed, STOPWORDS, counts).items():
                    by_word.setdefault(key, []).append((j, compact(words)))
                rest = list(found)
                rest.remove(filed)  # a piece reached by a key word meets its filed condition already
                checked[j] = tuple(rest)
                continue
            needed = first_needles(re.compile(source, flags))
            for needle in needed or ():
                by_needle.setdefault(needle, set()).add(j)
            if needed is None:
                always.add(j)
        return cls(
            pieces,
            [None] * len(pieces),
            tuple(tuple(_keyed(c, counts, compact) for c in found) for found in checked),
            {key: tuple(entries) for key, entries in by_prefix.items()},
            {w: tuple(entries) for w, entries in by_word.items()},
            {n: frozenset(ids) for n, ids in by_needle.items()},
            frozenset(always),
        )

    def candidates(self, wording: str) -> list[int] | None:
        """Return the pieces that may match a question's words joined by spaces, in INTENTS order.

        None when the wording is not words as text.words gives them: then no condition applies.
        """
        if not WORDING_RE.fullmatch(wording):
            return None
        held = set(wording.split(" "))
        by_prefix, by_word = self.by_prefix, self.by_word
        filed = {
            j
            for n in range(1, self.PREFIX_KEY + 1)
            for j, starts in by_prefix.get(wording[:n], ())
            if wording.startswith(starts)
        }
        filed.update(j for w in held if w in by_word for j, words in by_word[w] if held.issuperset(words))
        filed.update(j for needle, ids in self.by_needle.items() if needle in wording for j in ids)
        conditions = self.conditions
        found = [j for j in filed if not conditions[j] or _holds(conditions[j], held)]
        found += self.always
        return sorted(found)

    def matches(self, j: int, wording: str) -> bool:
        """Return True when piece j matches the wording (compiling it the first time)."""
        pattern = self.compiled[j]
        if pattern is None:
            _k, source, flags = self.pieces[j]
            pattern = self.compiled[j] = re.compile(source, flags)
        return pattern.search(wording) is not None


def _keyed(
    condition: WordCondition, counts: Mapping[str, int], compact: Callable[[frozenset[str]], tuple[str, ...]]
) -> _Keyed:
    """Return a condition's key words and its alternatives by key word: most questions hold no key."""
    by_key: dict[str, list[tuple[str, ...]]] = {}
    for words, key in key_words(condition, STOPWORDS, counts).items():
        by_key.setdefault(key, []).append(compact(words))
    return frozenset(by_key), {key: tuple(alternatives) for key, alternatives in by_key.items()}


def _holds(conditions: tuple[_Keyed, ...], held: set[str]) -> bool:
    """Return True when a question's words meet every condition: some alternative's words all held."""
    for keys, by_key in conditions:
        if keys.isdisjoint(held):
            return False  # the usual case: the question holds no key word of the condition
        if not any(held.issuperset(words) for key in keys.intersection(held) for words in by_key[key]):
            return False
    return True


@functools.cache
def _pattern_index() -> _PatternIndex:
    """Return the index of INTENTS' patterns, built on first use: importing the module stays cheap."""
    return _PatternIndex.build()


def prepare() -> None:
    """Index the out-of-scope patterns now (about a second) rather than at the first question."""
    _pattern_index()


@dataclass(frozen=True, slots=True)
class ScopeCheck:
    """What out of scope a question touches: marked words (soft evidence) and a whole-intent match."""

    marks: tuple[str, ...]  # words or joined pairs ("clear_sample") that the engine weighs against answering
    intent: str | None  # the intent whose pattern or word combination matched: decline outright


def check_scope(all_words: list[str]) -> ScopeCheck:
    """Return the out-of-scope signals in a question's words (text.words, stopwords included).

    The intent is the first in INTENTS order whose `together` sets or one of whose patterns match.
    """
    marks = [w for w in all_words if w in _WORD_INTENT]
    if marks and not _UNMARKED_BEFORE.keys().isdisjoint(marks):  # rare: only then look at the next words
        nexts = [*all_words[1:], ""]
        marks = [
            w
            for w, after in zip(all_words, nexts, strict=True)
            if w in _WORD_INTENT and after not in _UNMARKED_BEFORE.get(w, ())
        ]
    content = [w for w in all_words if w not in STOPWORDS]
    for pair in itertools.pairwise(content):
        if pair in _PAIR_INTENT:
            marks.append(f"{pair[0]}_{pair[1]}")
    present = set(all_words)
    first = next((k for k, (one, other) in _TOGETHER if present & one and present & other), len(INTENTS))
    wording = " ".join(all_words)
    index = _pattern_index()
    candidates = index.candidates(wording)
    if candidates is None:  # words text.words would not give: search each intent's own patterns
        first = next((k for k in range(first) if any(p.search(wording) for p in INTENTS[k].patterns)), first)
    else:
        pieces = index.pieces
        for j in candidates:
            k = pieces[j][0]
            if k >= first:
                break
            if index.matches(j, wording):
                first = k
                break
    return ScopeCheck(tuple(marks), INTENTS[first].name if first < len(INTENTS) else None)


def intent_of(mark: str) -> str | None:
    """Return the intent a marked word or pair belongs to."""
    first, _, second = mark.partition("_")
    return _WORD_INTENT.get(mark) or _PAIR_INTENT.get((first, second))
