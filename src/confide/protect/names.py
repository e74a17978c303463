"""Which words are people's names: the lexicon behind the name recogniser in `recognizers.people`.

Source: the name classes of Confide's word-class table (`understand/resources/word_classes.tsv`),
which was learned from the language model that the `pocketsphinx` package ships (CMU Sphinx US
English, BSD-style licence): its clusters of first names and of surnames, taken whole and then
read by hand to drop what is not a name (titles, brands, fictional characters, famous people's
surnames that are mostly heard as themselves). Nothing was added by hand, so the lexicon is
biased the way that language model is: towards English-speaking, mostly American names; the
cue phrases and the rare-word rule in `recognizers.people` are there for everyone else.
"""

from __future__ import annotations

_FIRST = """
    aaron abby adam adrian alan albert alex alexander alexis alfred alice alicia alison alistair
    allison amanda amber amelia amir amy ana andrea andreas andrew andy angela angie anita ann anna
    annabelle anne anthony ariana ariel arthur ash ashley audrey ava barack barb barbara barney
    barry bart becky ben benjamin benny bernard bernie beth bethany betsy bette betty beverley billy
    bo bob bobby bonnie brad brandon brandy brenda brett brian brianna bridget brittany brooke bruce
    bud byron caitlin caleb carl carlos carly carol caroline carolyn cassandra catherine cathy
    cedric chad charles charlie chet chloe chris christie christina christine christopher chuck
    cindy claire clara clarence claudia cody colin colleen connie cora corey courtney craig cynthia
    daisy dale dan dana daniel danielle danny dante darius darren darryl daryl dave david debbie
    deborah denise dennis derek dexter diana diane didier don donald donna donnie donny doug dustin
    dwight dylan earl ed eddie eduardo edward edwin elaine eleanor elena eli elise elizabeth ellen
    ellie elliot elsa elsie emily emma eric erica erin ernie esther ethan eugene eva evan ezra
    felicity felix fiona florence forrest francine franck frank frankie fred freddy frederick gabe
    gail gareth gary gavin geoff george gerald gerry gigi gina glenda gordon grace greg gus hal hank
    hannah hans harold harry hazel heather hector helen henry herbert hilary holly howard hugh ian
    ivan jack jackie jacob jade jaime jake james jamie jane janet janna jared jason jay jean jeff
    jeffrey jen jenn jennifer jenny jeremy jerry jess jesse jessica jessie jill jillian jim jimmy
    joan joanna jodie joe joel joey john johnny jon jonah jonathan joseph josh joshua joyce judith
    judy jules julia julie juliet juliette julio juno justin kai karen karl kat kate kathleen kathy
    katie keith ken kenneth kenny kevin kim kris kristen kyle kylie lana lance larry laura lauren
    laurie lenny leo leon leona leonard leslie lex liam libby lilly lily linda linus lisa liz lola
    lonnie lori lou louie louis louise lucy luke lulu lydia lynn mackenzie maddie maggie malcolm
    mandy manny marc marcus margaret maria marie marilyn marion mark marta martha marty marvin mary
    matt matthew matty maurice meg megan mel melanie melissa meredith merrill michael michelle mick
    mickey mika mike mikey mimi minnie miranda mitch mitt mohammed moira molly monica nancy nat
    natalie nate nathan ned neil nicholas nick nicki nico nicole nikita nikki nora norah norman
    oliver olivia pam pamela patricia patrick patti patty paul paula peggy pete peter phil philip
    phillip rachel ralph rama randy raul ray raymond rebecca reggie renee rex richard rick ricky
    rita rob robbie robert robin roger ron ronald ronnie rory rosemary rosie roxanne roy ruby rudy
    rufus russ ruth ryan sally sam samantha sammy samuel sandra sandy sara sarah sasha scotty sean
    seth shane shannon sharon shaun sherry shirley simon sonny stacey stacy stan stanley stefan
    steph stephanie stephen steve steven stuart susan suzy sven sylvia tammy tanya tara tate ted
    terry theo tiffany tim timothy tina toby tod todd tom tommy tony tracy travis trent trevor
    trixie troy tyler tyra valentino vanessa veronica vicki vicky victor vince vincent violet
    vivienne walter wendy wes william willie winnie winston yuri zach zack zoe
"""
FIRST_NAMES = frozenset(_FIRST.split())
"""Given names, lowercase."""

_SURNAMES = """
    abdullah adams addison ahmed albright ali allan allen alvarez anderson andrews archer archuleta
    armstrong arnold atkins auerbach avery axelrod bailey bain baker barnes barnett barr barrie
    barton beasley bellamy bennet benoit bentley bishop blaine blatt bloom blumenthal bollinger
    booth bowden bowers bowman boyce boyd bradley brandt brenner brent brewer brin brooks brown
    bryant burgess burke burns burris byrne caldwell cameron campbell carr carson caruso cassidy
    chalmers chandler chang chapman childress chilton chu clark clarke clarkson clement clough cobb
    coburn cohen cohn cole coleman collier conrad cooper cornwell cowan cox coyle croft crosby
    cullen cummings davies davis dean deutsch dobbs dobson douglas drake dunn duval easton edwards
    elam elias emanuel epstein estes evans feldman ferrer finch fincher firth fisher flaherty foster
    foy francis freedman friedman friedrich frost fryer fuller gabriel gale gallagher gallant geist
    gerard giles gill gilmour givens goldman goldstein gonzales gower graham granville greenberg
    greene gregg gregory griffin griffiths grossman gunn gupta hackett hain hale hamilton hammond
    hansen hanson hare harrington harris harvey hauser haye headley healy heath heyman hicks hilbert
    hill hirsch hockney hodges holden holland horowitz horton howell huber hughes hume humphreys
    hurst hussain hussey hwang hyde ince irving irwin ismail jackson jacobs jacoby jenkins jennings
    johnson johnston jonas jones jordan kagan kahn kaplan kass kato katz kelly kelsey kerr kessler
    khan king koch kumar lamb lang lawrence lee legg levy lewis livingstone lloyd logan luis luiz
    lutz lynch mack mackay macleod mann manning marshall martin mcallister mccullough mcdowell
    mckenzie mckiernan meltzer michaels millar miller mitchell mohamed moore moreau morgan morley
    morse moses moyes munro murphy murray nalbandian nelson newman newton nguyen nicholls norris
    nowak nugent ogden omar ortiz owen packard paine paisley palmer parker parr patel paterson
    patten patterson pearson perron peterson petit pinto platt polk pollack pollard pritchard quinn
    randolph rangel reddy redgrave rees ricardo richards ritchie robbins roberts robertson robinson
    rockwell rogers rosen rosenberg ross rossi roth rowe rubenstein rubin ruffalo russell sanchez
    schiff schwartz scott seaman seymour shapiro shaw sheldon shepherd shoemaker silva silverman
    sinclair singh sloan smith snell solomon souter southall spencer spitz stark steen steiner stern
    stevens sullivan sutherland suzuki swain swift sykes taylor tennant terrell thomas thompson
    thomson thorne toms trimble trott tyree underwood vaughan vitale wakefield walker wallace walsh
    ward warner webb weber weir welch weller werner wheeler whitehouse wilkinson williams willis
    wilson winfield wolfe wong wood wright yates yost zucker
"""
SURNAMES = frozenset(_SURNAMES.split())
"""Family names, lowercase."""

_COMMON_WORD_NAMES = """
    amber ariel ash ben bo bob brandy brooke bud carol chad chuck daisy dale don earl ed eugene
    felicity florence forrest frank grace gus hal harry hazel hector holly jack jade jay jean juliet
    juno kai lance leo lex lilly lily lola lou lynn marion mark mel mickey mitt nat nick rama ray
    rex rob robin ruby sam sandy sonny stan tate trent troy tyler victor violet
"""
COMMON_WORD_NAMES = frozenset(_COMMON_WORD_NAMES.split())
"""First names that are also everyday words or places ("mark", "grace", "florence"): a name
only after a cue ("call", "my name is") or before a surname."""
